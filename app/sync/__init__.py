"""Platform client and sync engine (SYNC_PROTOCOL.md)."""
