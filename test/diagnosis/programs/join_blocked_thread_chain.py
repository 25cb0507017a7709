# expect: hang
# kinds: join-blocked
# lints:
# culprits: MainThread, dispatcher, handler
# lines: 14, 23, 30
# why: the main thread joins the dispatcher thread, the dispatcher joins the handler thread before putting the reply it waits for, and the handler waits for that reply forever.
"""A request dispatcher thread that runs each request in a handler thread."""

import queue
import threading


def handle(request, replies):
    answer = replies.get()
    print(f"{request}: {answer}")


def dispatch(requests):
    for request in requests:
        replies = queue.Queue()
        handler = threading.Thread(target=handle, name="handler", args=(request, replies))
        handler.start()
        handler.join()
        replies.put("200 OK")


if __name__ == "__main__":
    dispatcher = threading.Thread(target=dispatch, name="dispatcher", args=(["GET /", "GET /about"],))
    dispatcher.start()
    dispatcher.join()
    print("all requests handled")
