# expect: hang
# kinds: get-starved
# lints:
# culprits: aggregator
# lines: 30
# why: the aggregator thread waits for one done marker per configured crawler, but the crawler with an empty seed list was never started, so after the other crawlers finish it waits forever on an empty queue.Queue.
"""Crawler threads feed links to an aggregator thread through a queue.Queue."""

import queue
import threading

SEEDS = {
    "crawler-1": ["https://example.org/a", "https://example.org/b"],
    "crawler-2": ["https://example.net/x"],
    "crawler-3": [],
}
DONE = object()


def crawl(seeds, links):
    for url in seeds:
        for n in range(3):
            links.put(f"{url}/page{n}")
    links.put(DONE)


def aggregate(links, expected_crawlers, found):
    finished = 0
    while finished < expected_crawlers:
        link = links.get()
        if link is DONE:
            finished += 1
        else:
            found.append(link)


if __name__ == "__main__":
    links = queue.Queue()
    found = []
    agg = threading.Thread(target=aggregate, name="aggregator", args=(links, len(SEEDS), found))
    agg.start()
    crawlers = [threading.Thread(target=crawl, name=name, args=(seeds, links))
                for name, seeds in SEEDS.items() if seeds]
    for t in crawlers:
        t.start()
    for t in crawlers:
        t.join()
    agg.join()
    print("found", len(found), "links")
