"""The Chinese line breaker (kiosk/linebreak.py) on the breaks issue 14 saw on screen: each case is cut where
a width-only wrap (what Kivy does to a run without spaces) cuts it, and where the breaker does instead.
Widths are in half-em units: a Chinese character or full-width mark is 2, an ASCII character 1."""
from __future__ import annotations

import pytest

from kiosk.linebreak import break_lines, break_markup, is_cjk


def units(text: str) -> int:
    return sum(2 if is_cjk(c) else 1 for c in text)


def within(width: int):
    return lambda line: units(line) <= width


def width_only(text: str, width: int) -> str:
    """What a wrap by width alone makes of a text without spaces (the breaks issue 14 reported)."""
    lines, line = [], ""
    for char in text:
        if units(line + char) > width:
            lines.append(line)
            line = char
        else:
            line += char
    return "\n".join(lines + [line])


@pytest.mark.parametrize("text,width,by_width,by_rules", [
    # a line starting with "，"
    ("请持身份证和社保卡办理密码解锁，谢谢", 30, "请持身份证和社保卡办理密码解锁\n，谢谢", "请持身份证和社保卡办理密码解\n锁，谢谢"),
    # "20 / 元": a number keeps its unit
    ("请扫码缴纳补换卡费 20 元", 22, "请扫码缴纳补换卡费 20 \n元", "请扫码缴纳补换卡费\n20 元"),
    # "掌上1233 / 3": a number is never cut
    ("请用掌上12333扫描", 12, "请用掌上1233\n3扫描", "请用掌上\n12333扫描"),
    # "（卡号 / A00000013）" and a line starting with "）": a short aside stays whole
    ("请妥善保管您的社保卡（卡号 A00000013）。", 36, "请妥善保管您的社保卡（卡号 A00000013\n）。",
     "请妥善保管您的社保卡\n（卡号 A00000013）。"),
    # "“修改 / 社保卡密码”": a quoted tile name stays whole
    ("记得密码请选择“修改社保卡密码”，忘记密码请到窗口办理", 24, "记得密码请选择“修改社保\n卡密码”，忘记密码请到窗\n口办理",
     "记得密码请选择\n“修改社保卡密码”，忘记密\n码请到窗口办理"),
    # "社保卡状态查 / 询": no single-character last line
    ("社保卡状态查询", 12, "社保卡状态查\n询", "社保卡状态\n查询"),
    # a line ending with "（"
    ("请选择正式挂失（原卡停用）", 16, "请选择正式挂失（\n原卡停用）", "请选择正式挂失\n（原卡停用）"),
    # a grouped phone number stays on one line
    ("手机号码已改为 139 1234 5678。", 24, "手机号码已改为 139 1234 \n5678。", "手机号码已改为\n139 1234 5678。"),
])
def test_chinese_breaks_follow_the_rules_where_a_width_only_wrap_does_not(text, width, by_width, by_rules):
    assert width_only(text, width) == by_width
    assert break_lines(text, within(width)) == by_rules


def test_english_breaks_at_spaces_only():
    assert break_lines("Scan the QR code with WeChat, Alipay or the 12333 app", within(20)) == \
        "Scan the QR code\nwith WeChat, Alipay\nor the 12333 app"


def test_a_text_that_fits_and_its_own_newlines_are_kept():
    assert break_lines("挂失成功", within(40)) == "挂失成功"
    assert break_lines("第一行\n第二行", within(40)) == "第一行\n第二行"


def test_a_run_too_long_for_any_line_is_cut_where_the_width_runs_out():
    assert break_lines("A000000000000013", within(8)) == "A0000000\n00000013"


def test_markup_keeps_its_tags_and_entities_between_the_same_characters():
    rare = "[font=/usr/share/fonts/truetype/hanazono/HanaMinB.ttf]𠮷[/font]"
    markup = f"请{rare}先生持身份证和社保卡办理密码解锁，&bl;本人&br;"
    broken = break_markup(markup, within(20))
    assert broken.replace("\n", "") == markup
    assert broken == f"请{rare}先生持身份证和社\n保卡办理密码解锁，\n&bl;本人&br;"
