"""Contrast of every text colour on its background (WCAG 2 relative luminance): the standard palette
meets AA for large text and body text (4.5:1), the elderly mode's palette meets AAA (7:1)."""
import pytest

from kiosk.screens import theme

PAIRS = [("TEXT", "BACKGROUND"), ("MUTED", "BACKGROUND"), ("TEXT", "SURFACE"), ("MUTED", "SURFACE"),
         ("ON_PRIMARY", "PRIMARY"), ("ON_PRIMARY", "PRIMARY_DOWN"), ("TEXT", "SECONDARY"), ("ON_PRIMARY", "STAFF"),
         ("GOOD", "BACKGROUND"), ("WARN", "BACKGROUND"), ("BAD", "BACKGROUND"), ("PRIMARY", "BACKGROUND"),
         ("ON_PRIMARY", "GOOD"), ("BAD", "SURFACE")]


def luminance(rgba) -> float:
    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("fg,bg", PAIRS)
def test_standard_palette_meets_aa(fg, bg):
    assert contrast(getattr(theme.STANDARD, fg), getattr(theme.STANDARD, bg)) >= 4.5


@pytest.mark.parametrize("fg,bg", PAIRS)
def test_elderly_palette_meets_aaa(fg, bg):
    assert contrast(getattr(theme.HIGH_CONTRAST, fg), getattr(theme.HIGH_CONTRAST, bg)) >= 7.0


def over(fg, bg, alpha: float):
    """``fg`` drawn at ``alpha`` over ``bg``: the colour the eye gets."""
    return tuple(alpha * f + (1 - alpha) * b for f, b in zip(fg[:3], bg[:3])) + (1,)


@pytest.mark.parametrize("palette", [theme.STANDARD, theme.HIGH_CONTRAST])
def test_a_paused_tiles_notice_is_read_at_full_contrast(palette):
    """A paused tile once faded to 0.75 opacity, which took its red notice to about 4.0:1. Now it is drawn
    opaque (the tile rule carries no opacity), the red notice on the tile's own surface."""
    import pathlib
    rule = pathlib.Path(theme.__file__).with_name("kv").joinpath("widgets.kv").read_text(encoding="utf-8")
    tile = rule.split("<Tile>:", 1)[1].split("\n<", 1)[0]
    assert "opacity: 0.75" not in tile and "app.pal.BAD if root.notice" in tile
    assert contrast(over(palette.BAD, palette.BACKGROUND, 0.75), over(palette.SURFACE, palette.BACKGROUND, 0.75)) \
        < contrast(palette.BAD, palette.SURFACE)               # what the fading cost
    assert contrast(palette.BAD, palette.SURFACE) >= 4.5
