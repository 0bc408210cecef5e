"""Self-service kiosk for the Chinese social security card (社会保障卡).

The core (flows, drivers, backend client) is plain Python; only ``kiosk.screens`` imports Kivy.
"""
