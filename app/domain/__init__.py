"""Plain data and rules of the domain: no I/O, no Qt (ARCHITECTURE.md)."""
