"""Dialogs opened from the windows (print preview, …)."""
