# expect: hang
# kinds: lock-cycle
# lints:
# culprits: transfer-1, transfer-2
# lines: 23, 28
# why: two transfer threads lock the source account first and the destination second, and they move money in opposite directions, so each holds one account lock and waits for the other.
"""Bank transfers between two accounts, one thread per transfer."""

import threading

# The fraud service checks a batch of two transfers at once: each waits for the other.
fraud_check = threading.Barrier(2)


class Account:
    def __init__(self, name, balance):
        self.name = name
        self.balance = balance
        self.lock = threading.Lock()


def transfer(src, dst, amount):
    with src.lock:
        if src.balance < amount:
            print(f"{src.name}: insufficient funds")
            return
        fraud_check.wait()
        with dst.lock:
            src.balance -= amount
            dst.balance += amount
            print(f"moved {amount} from {src.name} to {dst.name}")


if __name__ == "__main__":
    alice = Account("alice", 500)
    bob = Account("bob", 300)
    t1 = threading.Thread(target=transfer, name="transfer-1", args=(alice, bob, 120))
    t2 = threading.Thread(target=transfer, name="transfer-2", args=(bob, alice, 80))
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    print("balances:", alice.balance, bob.balance)
