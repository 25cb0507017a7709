"""One module per family of primitives; each patches the standard library in place."""
