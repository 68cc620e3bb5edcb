"""PySide6 widgets: counter, kiosk and citizen rating windows."""
