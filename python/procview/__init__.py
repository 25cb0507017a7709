"""procview: the runtime that records what a Python program's processes, threads,
queues and locks do, for Process View. Standard library only."""

__version__ = "0.1.0"
