"""Rare name characters on screen: what the Noto SC face lacks is drawn in a HanaMin fallback face (Kivy
markup), and markup characters in a text are escaped, never interpreted."""
import pytest

from kiosk import fonts


@pytest.fixture(scope="module")
def coverage(tmp_path_factory):
    return fonts.Coverage(fonts.sc_font_file(str(tmp_path_factory.mktemp("fonts"))))


def test_extension_a_names_are_in_the_main_face(coverage):
    assert coverage.face_for("䶮") is None and coverage.face_for("刘") is None
    assert fonts.with_fallbacks("刘䶮", coverage) == "刘䶮"


def test_extension_b_characters_missing_from_noto_use_hanamin(coverage):
    assert coverage.face_for("𪚥") is not None and "HanaMin" in coverage.face_for("𪚥")
    assert coverage.face_for("\U0002B740") is not None                # CJK Extension D
    shown = fonts.with_fallbacks("王𪚥𪚥明", coverage)
    assert shown.startswith("王[font=") and shown.endswith("]𪚥𪚥[/font]明")   # one run, not one tag a character


def test_markup_in_a_text_is_escaped(coverage):
    assert fonts.with_fallbacks("[b]粗[/b] & 1", coverage) == "&bl;b&br;粗&bl;/b&br; &amp; 1"
    assert fonts.with_fallbacks("[b]", None) == "&bl;b&br;"
