"""Every screen text has its English, with the same placeholders; texts switch language without losing
the values they carry."""
import string

import pytest

from kiosk.i18n import _, both, join, listing, tr
from kiosk.i18n_en import EN
from tests.i18n_tools import all_texts


def placeholders(template: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name}


def test_every_screen_text_has_english():
    missing = {text: where for text, where in all_texts().items() if text not in EN}
    assert not missing, "no English for:\n" + "\n".join(f"  {where}: {text!r}" for text, where in missing.items())


@pytest.mark.parametrize("template", sorted(EN))
def test_english_uses_the_same_placeholders(template):
    assert placeholders(EN[template]) == placeholders(template)


def test_no_english_entry_is_left_unused():
    used = set(all_texts())
    assert not set(EN) - used, sorted(set(EN) - used)


def test_a_text_keeps_its_values_across_languages():
    text = _("请在{n}秒内完成", n=60)
    assert text == "请在60秒内完成"                        # the str value is the Chinese
    assert tr(text, "en") == "Please finish within 60 seconds"
    assert tr(text, "zh") == "请在60秒内完成"


def test_nested_texts_and_refusals_translate_too():
    what = listing([both("凭条", "receipt"), both("身份证", "ID card")])
    notice = _("请取走{what}，谢谢。", what=what)
    assert notice == "请取走凭条、身份证，谢谢。"
    assert tr(notice, "en") == "Please take your receipt, ID card. Thank you."
    body = join(both("还可以再试5次。", "5 tries left."), _("请牢记新密码，并取走社保卡。"))
    assert tr(body, "en") == "5 tries left. Remember your new PIN and take your card."


def test_names_and_numbers_are_shown_as_they_are():
    assert tr("刘䶮", "en") == "刘䶮" and tr("", "en") == "" and tr(None, "en") == ""
