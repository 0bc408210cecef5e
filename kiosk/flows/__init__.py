"""Citizen services, one module each. Plain Python: screens call these on a worker thread."""
