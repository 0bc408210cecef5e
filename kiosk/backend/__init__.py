"""Card-management service: the reference service (FastAPI + SQLite) and the kiosk's client (requests)."""
