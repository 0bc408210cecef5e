"""Colours and sizes shared by every screen: high contrast, large targets (≥ 96 dp for citizens)."""
BACKGROUND = (0.957, 0.969, 0.984, 1)
PRIMARY = (0.106, 0.341, 0.651, 1)
ON_PRIMARY = (1, 1, 1, 1)
TEXT = (0.1, 0.1, 0.12, 1)
MUTED = (0.35, 0.37, 0.42, 1)
SURFACE = (1, 1, 1, 1)
GOOD = (0.09, 0.52, 0.27, 1)
WARN = (0.78, 0.45, 0.0, 1)
BAD = (0.76, 0.14, 0.14, 1)
SECONDARY = (0.85, 0.88, 0.93, 1)
TONES = {"good": GOOD, "warn": WARN, "bad": BAD, "info": PRIMARY}
