"""Chinese line breaking for the screens: where a wrapped text may start a new line, and the lines it
makes at a given width. Plain Python: the width of a line is measured by a function the caller passes in
(on screen, the label's own font through Kivy's core label).

Kivy wraps only at spaces; a run without spaces (all Chinese text) is cut wherever the width runs out, so
a line may start with "，" or "。", end with "（" or "“", or split "20 / 元" and "12333". The rules followed
here are those of UAX #14 (Unicode line breaking) for the classes that occur in the kiosk's texts, with the
Chinese typesetting rules of GB/T 15834-2011 (标点符号用法) and W3C "Requirements for Chinese Text Layout"
(clreq §3.1.7, 行首行尾禁则):
- a line never starts with a closing or pause mark: ，。、；：？！…）」』》】〕〉”’ % and the ASCII , . ; : ? ! )
  (UAX #14 classes CL, CP, EX, IS, NS);
- a line never ends with an opening mark: （「『《【〔〈“‘ and ASCII ( [ (classes OP, QU-opening);
- a run of digits and Latin letters (with the . , : / - * _ inside it) is never split (classes NU, AL), and
  a number keeps the unit after it ("20元", "20 元", "6位", "139 1234 5678");
- between two Chinese characters, or a Chinese character and a Latin run, a line may break (class ID);
  at a space it may break, and the space is not drawn;
- a quoted name (“修改社保卡密码”) is kept on one line when it fits on one, a bracketed aside
  (（卡号 A00000013）) when it is at most KEEP_GROUP_SHARE of a line; longer ones break inside by the rules
  above;
- the last line is not a single Chinese character when the line before can give it one more (no orphan
  "询"), as clreq recommends.
A run that cannot fit on a line at all is cut where the width runs out (the rules yield to the width).
"""
from __future__ import annotations

from typing import Callable, Iterable

CLOSING = set("，。、；：？！…‥）」』》】〕〉〗〙”’%‰℃·・ー々〻〜～,.;:?!)]}、")
OPENING = set("（「『《【〔〈〖〘“‘([{")
PAIRS = {"“": "”", "‘": "’", "（": "）", "「": "」", "『": "』", "《": "》", "【": "】", "〔": "〕", "〈": "〉",
         "(": ")"}
JOINERS = set(".,:/-*_'+#@")       # inside a Latin or number run: "12.5", "2026-01-01", "6101****0037"
QUOTES = set("“‘「『《")           # a quoted name (a tile's, a document's) stays whole when it fits on a line
KEEP_GROUP_SHARE = 0.6             # a bracketed aside up to this share of the line stays whole


def is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF
            or 0x20000 <= code <= 0x3FFFF)


def _alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def opportunities(text: str) -> list[bool]:
    """``allowed[i]``: a line may start at ``text[i]`` (0 < i < len). A break at a space starts the next line
    after the spaces; ``allowed`` is True at the first character after them."""
    n = len(text)
    allowed = [False] * (n + 1)
    i = 1
    while i < n:
        before, char = text[i - 1], text[i]
        if char == " ":
            i += 1
            continue
        if before == " ":
            j = i - 1
            while j > 0 and text[j - 1] == " ":
                j -= 1
            left = text[j - 1] if j > 0 else ""
            allowed[i] = bool(left) and not (
                char in CLOSING or left in OPENING
                or (left.isdigit() and (char.isdigit() or is_cjk(char) and char not in OPENING)))
        else:
            allowed[i] = not (
                char in CLOSING or before in OPENING
                or (_alnum(before) or before in JOINERS) and (_alnum(char) or char in JOINERS)
                or before.isdigit()                               # a number keeps its unit: "20元", "6位"
                or not is_cjk(before) and not is_cjk(char))       # Latin text breaks at spaces only
        i += 1
    return allowed


def _groups(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of bracketed or quoted groups, outermost first."""
    spans, stack = [], []
    for i, char in enumerate(text):
        if char in PAIRS:
            stack.append((char, i))
        elif stack and char == PAIRS[stack[-1][0]]:
            _open, start = stack.pop()
            if not stack:
                spans.append((start, i + 1))
    return spans


def paragraph_spans(text: str, fits: Callable[[str], bool], offset: int = 0) -> list[tuple[int, int]]:
    """The lines of one paragraph (no newline inside) as (start, end) spans of ``text`` (shifted by
    ``offset``), each as wide as ``fits`` allows; the spaces where a line was broken are in no span."""
    def span(a: int, b: int) -> tuple[int, int]:
        while b > a and text[b - 1] == " ":
            b -= 1
        return a + offset, b + offset
    if not text or fits(text):
        return [(offset, offset + len(text))]
    allowed = opportunities(text)
    for a, b in _groups(text):      # no break inside a short group
        if fits(text[a:b]) if text[a] in QUOTES else _short(text[a:b], fits):
            for i in range(a + 1, b):
                allowed[i] = False
    starts = [0]
    while not fits(text[starts[-1]:].rstrip(" ")):
        start, best = starts[-1], None
        for i in range(start + 1, len(text)):
            if allowed[i]:
                if fits(text[start:i].rstrip(" ")):
                    best = i
                else:
                    break
        if best is None:            # nothing fits by the rules: cut where the width runs out
            best = start + 1
            while best < len(text) and fits(text[start:best + 1].rstrip(" ")):
                best += 1
            while best < len(text) and text[best] == " ":
                best += 1
            if best >= len(text):
                break
        starts.append(best)
    starts = _no_orphan(text, starts, allowed, fits)
    return [span(a, b) for a, b in zip(starts, starts[1:] + [len(text)])]


def _short(group: str, fits: Callable[[str], bool]) -> bool:
    """At most KEEP_GROUP_SHARE of a line: the group and (1/share - 1) of itself more still fit."""
    extra = group[: max(1, round(len(group) * (1 / KEEP_GROUP_SHARE - 1)))]
    return fits(group + extra)


def _no_orphan(text: str, starts: list[int], allowed: list[bool], fits) -> list[int]:
    if len(starts) < 2:
        return starts
    last = text[starts[-1]:].rstrip(" ")
    visible = [c for c in last if c not in CLOSING]
    if len(visible) != 1 or not is_cjk(visible[0]):
        return starts
    earlier = [i for i in range(starts[-2] + 2, starts[-1]) if allowed[i]]
    if earlier and fits(text[earlier[-1]:].rstrip(" ")):
        return starts[:-1] + [earlier[-1]]
    return starts


def line_spans(text: str, fits: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Every line of ``text`` (its own newlines kept) as a (start, end) span."""
    spans, offset = [], 0
    for paragraph in text.split("\n"):
        spans += paragraph_spans(paragraph, fits, offset)
        offset += len(paragraph) + 1
    return spans


def break_lines(text: str, fits: Callable[[str], bool]) -> str:
    """``text`` with newlines where its lines end, by the rules above."""
    return "\n".join(text[a:b] for a, b in line_spans(text, fits))


# -- Kivy markup: the breaks go between the characters, the tags stay where they were ------------------------
ENTITIES = {"&amp;": "&", "&bl;": "[", "&br;": "]"}


def _units(markup: str) -> Iterable[tuple[str, str]]:
    """(source, character) pairs: a tag is ("[font=…]", ""), an entity ("&bl;", "["), a character (c, c)."""
    i = 0
    while i < len(markup):
        char = markup[i]
        if char == "[":
            end = markup.find("]", i)
            if end > 0:
                yield markup[i:end + 1], ""
                i = end + 1
                continue
        if char == "&":
            entity = next((e for e in ENTITIES if markup.startswith(e, i)), None)
            if entity:
                yield entity, ENTITIES[entity]
                i += len(entity)
                continue
        yield char, char
        i += 1


def break_markup(markup: str, fits: Callable[[str], bool]) -> str:
    """As :func:`break_lines` for Kivy markup (tags such as [font=…] for rare characters, entities &bl; …):
    the plain text is broken and measured, the newlines put between the same characters, the tags kept."""
    units = list(_units(markup))
    plain = "".join(c for _s, c in units)
    spans = line_spans(plain, fits)
    if len(spans) == plain.count("\n") + 1 and all(b - a == len(p) for (a, b), p in zip(spans, plain.split("\n"))):
        return markup           # nothing to add
    inside = [False] * len(plain)
    line_of = [0] * len(plain)
    for n, (a, b) in enumerate(spans):
        for i in range(a, b):
            inside[i], line_of[i] = True, n
    out, p, line = [], 0, 0
    for source, char in units:
        if not char:
            out.append(source)
            continue
        if inside[p]:
            if line_of[p] != line:
                out.append("\n")
                line = line_of[p]
            out.append(source)
        p += 1
    return "".join(out)
