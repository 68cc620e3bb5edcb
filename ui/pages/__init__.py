"""The counter window's pages, one module each, mounted by `ui.pages.counter_flow`."""
