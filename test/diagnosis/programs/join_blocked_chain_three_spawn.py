# expect: hang
# kinds: join-blocked
# lints:
# culprits: MainProcess, supervisor, fetcher
# lines: 13, 23, 31
# why: main joins the supervisor, the supervisor joins the fetcher before giving it its URL list, and the fetcher waits on its queue for that list: a chain of three blocked spawned processes.
"""A supervisor process that starts a fetcher and hands it work; all spawned."""

import multiprocessing as mp


def fetch(todo):
    urls = todo.get()
    for url in urls:
        print("fetching", url, flush=True)


def supervise(ctx_name):
    ctx = mp.get_context(ctx_name)
    todo = ctx.Queue()
    fetcher = ctx.Process(target=fetch, name="fetcher", args=(todo,))
    fetcher.start()
    fetcher.join()
    todo.put(["https://example.org/", "https://example.org/about"])


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    supervisor = ctx.Process(target=supervise, name="supervisor", args=("spawn",))
    supervisor.start()
    supervisor.join()
    print("supervisor finished")
