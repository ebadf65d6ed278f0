"""FastAPI service: chat, staff search, catalog lookup, and the kiosk, widget and staff pages."""
