"""Colours and sizes shared by every screen: high contrast, large targets (≥ 96 dp for citizens).

Two palettes: the standard one, and the elderly mode's (适老化) with darker text, pure white surfaces and
stronger colours, so every text clears WCAG AAA (7:1) against its background; tests/test_theme.py checks it.
"""
from types import SimpleNamespace

STANDARD = SimpleNamespace(
    BACKGROUND=(0.957, 0.969, 0.984, 1),
    PRIMARY=(0.106, 0.341, 0.651, 1),
    PRIMARY_DOWN=(0.05, 0.2, 0.45, 1),
    ON_PRIMARY=(1, 1, 1, 1),
    TEXT=(0.1, 0.1, 0.12, 1),
    MUTED=(0.35, 0.37, 0.42, 1),
    SURFACE=(1, 1, 1, 1),
    PRESSED=(0.9, 0.93, 0.98, 1),
    GOOD=(0.05, 0.44, 0.22, 1),
    WARN=(0.6, 0.31, 0.0, 1),
    BAD=(0.76, 0.14, 0.14, 1),
    SECONDARY=(0.85, 0.88, 0.93, 1),
    SECONDARY_DOWN=(0.7, 0.74, 0.8, 1),
    STAFF=(0.72, 0.26, 0.05, 1),
)
HIGH_CONTRAST = SimpleNamespace(
    BACKGROUND=(1, 1, 1, 1),
    PRIMARY=(0.0, 0.2, 0.47, 1),
    PRIMARY_DOWN=(0.0, 0.1, 0.3, 1),
    ON_PRIMARY=(1, 1, 1, 1),
    TEXT=(0, 0, 0, 1),
    MUTED=(0.15, 0.15, 0.18, 1),
    SURFACE=(1, 1, 1, 1),
    PRESSED=(0.85, 0.89, 0.97, 1),
    GOOD=(0.0, 0.33, 0.15, 1),
    WARN=(0.45, 0.22, 0.0, 1),
    BAD=(0.55, 0.0, 0.0, 1),
    SECONDARY=(0.8, 0.84, 0.9, 1),
    SECONDARY_DOWN=(0.62, 0.67, 0.75, 1),
    STAFF=(0.6, 0.16, 0.0, 1),
)
ELDERLY_SCALE = 1.25          # type and targets grow by a quarter in elderly mode


def tone(palette, name: str):
    return {"good": palette.GOOD, "warn": palette.WARN, "bad": palette.BAD, "info": palette.PRIMARY}.get(
        name, palette.TEXT)


# The standard palette by name, for code that runs before the app exists (the issuing step list).
globals().update(vars(STANDARD))
