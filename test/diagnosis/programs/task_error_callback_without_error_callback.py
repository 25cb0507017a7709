# expect: error
# kinds: task-error-unretrieved
# lints:
# culprits:
# lines: 16, 29
# why: results are collected only through apply_async's callback, with no error_callback and no get(), so the task that raises on a negative quantity is silently missing from the totals.
"""Order totals computed on a Pool and gathered by a success callback."""

from multiprocessing import Pool

ORDERS = [("o-1", 3, 9.5), ("o-2", 1, 120.0), ("o-3", -2, 4.0), ("o-4", 5, 2.25)]


def order_total(order_id, quantity, price):
    if quantity < 0:
        raise ValueError(f"{order_id}: negative quantity {quantity}")
    return order_id, quantity * price


if __name__ == "__main__":
    totals = {}

    def collect(result):
        order_id, total = result
        totals[order_id] = total

    pool = Pool(2)
    for order in ORDERS:
        pool.apply_async(order_total, order, callback=collect)
    pool.close()
    pool.join()
    print("orders:", len(totals), "revenue:", sum(totals.values()))
