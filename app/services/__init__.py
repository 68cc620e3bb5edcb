"""The use cases the UI calls; each service is a QObject that owns its transactions."""
