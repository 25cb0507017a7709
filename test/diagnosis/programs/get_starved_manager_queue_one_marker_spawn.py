# expect: hang
# kinds: get-starved, join-blocked
# lints:
# culprits:
# lines: 14, 34
# why: two spawned indexer processes read from a Manager queue until they get None, but the main process puts a single None, so one indexer stops and the other waits forever on the empty queue while the main process joins it.
"""Spawned indexers fed through a Manager().Queue, stopped with an end marker."""

import multiprocessing as mp


def index_documents(docs, index):
    while True:
        doc = docs.get()
        if doc is None:
            break
        for word in doc.split():
            index.append((word.lower(), doc[:10]))


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        docs = manager.Queue()
        index = manager.list()
        indexers = [ctx.Process(target=index_documents, name=f"indexer-{i}", args=(docs, index))
                    for i in (1, 2)]
        for p in indexers:
            p.start()
        for doc in ["The quick fox", "A lazy dog", "Foxes and dogs", "Quick dogs"]:
            docs.put(doc)
        docs.put(None)
        for p in indexers:
            p.join()
        print("indexed", len(index), "words")
