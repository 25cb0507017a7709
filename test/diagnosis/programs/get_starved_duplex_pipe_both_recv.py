# expect: hang
# kinds: get-starved
# lints:
# culprits: MainProcess, pricer
# lines: 26, 13
# why: the parent waits on its end of a duplex Pipe for the pricer's version banner, while the pricer waits on the other end for the parent's hello before it sends anything, so both sit in recv() and nothing is ever sent.
"""A parent and a pricing child talk over a duplex Pipe: a handshake, then quotes."""

import multiprocessing as mp


def pricing_service(conn):
    hello = conn.recv()
    conn.send({"service": "pricer", "version": 2, "hello": hello})
    while True:
        symbol = conn.recv()
        if symbol is None:
            break
        conn.send((symbol, round(len(symbol) * 10.25, 2)))


if __name__ == "__main__":
    parent_end, child_end = mp.Pipe()
    pricer = mp.Process(target=pricing_service, name="pricer", args=(child_end,))
    pricer.start()
    banner = parent_end.recv()
    parent_end.send("hello from client")
    print("connected to", banner)
    for symbol in ["ACME", "INIT"]:
        parent_end.send(symbol)
        print(parent_end.recv())
    parent_end.send(None)
    pricer.join()
