"""Reference central platform: the server side of SYNC_PROTOCOL.md (built in its own issue)."""
