"""Reusable widgets of the intake pages."""
