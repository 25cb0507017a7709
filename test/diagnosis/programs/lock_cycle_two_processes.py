# expect: hang
# kinds: lock-cycle
# lints:
# culprits: worker-a, worker-b
# lines: 14, 17, 22, 25
# why: worker-a takes the inventory lock then the ledger lock while worker-b takes them in the opposite order, so each waits forever for the lock the other holds.
"""Two order processors sharing an inventory lock and a ledger lock."""

import multiprocessing as mp
import os


def reserve_stock(inventory_lock, ledger_lock, batch_start, order_id):
    with inventory_lock:
        print(f"[{os.getpid()}] reserving stock for order {order_id}", flush=True)
        batch_start.wait()  # both processors begin their batch together
        with ledger_lock:
            print(f"[{os.getpid()}] booking order {order_id}", flush=True)


def refund_order(inventory_lock, ledger_lock, batch_start, order_id):
    with ledger_lock:
        print(f"[{os.getpid()}] reversing ledger entry of order {order_id}", flush=True)
        batch_start.wait()
        with inventory_lock:
            print(f"[{os.getpid()}] putting stock of order {order_id} back", flush=True)


if __name__ == "__main__":
    inventory_lock = mp.Lock()
    ledger_lock = mp.Lock()
    batch_start = mp.Barrier(2)
    a = mp.Process(target=reserve_stock, name="worker-a",
                   args=(inventory_lock, ledger_lock, batch_start, 101))
    b = mp.Process(target=refund_order, name="worker-b",
                   args=(inventory_lock, ledger_lock, batch_start, 57))
    a.start()
    b.start()
    a.join()
    b.join()
    print("all orders processed")
