"""Steps shared by the UI test scripts. No Kivy import here: the test modules import this at collection,
before boot.prepare() has set the window's size (importing Kivy's window first would open it at 800×600)."""
from __future__ import annotations


def present_cards(d, service: str, id_key: str | None = None, card_key: str | None = None,
                  shots: tuple[str, ...] = ()):
    """From the start screen: open ``service``, then place the ID card and/or insert the card when the
    kiosk asks for them. ``shots``: which of "place_id", "insert_card" to screenshot on the way."""
    hands = d.app.kiosk.hands
    yield from d.open(service)
    for screen, key, put in (("place_id", id_key, hands.place_id_card), ("insert_card", card_key, hands.insert_card)):
        if key:
            yield d.screen(screen)
            if screen in shots:
                d.shot(screen)
            put(key)


def refusal(d, name: str, service: str, id_key: str, card_key: str | None, words: str):
    """A service refused in words after the ID card (and the card) are read; then back to the start."""
    app, hands = d.app, d.app.kiosk.hands
    d.service(name)
    yield from present_cards(d, service, id_key, card_key)
    yield d.until("refused", lambda: app.sm.current == "message" and d.current().title == "无法继续办理"
                  and words in d.current().body)
    d.shot("refused")
    yield from take_cards(d)


def approve_card_photo(d, shot: str | None = None):
    """The new card's photo: the camera step counts down and shoots by itself (the simulated camera shows the
    holder), then one touch on 确认使用此照片."""
    yield d.screen("photo", timeout=40)
    if shot:
        d.shot(shot)
    d.tap_id("primary")


def take_cards(d):
    """The citizen takes the ID card and the card out: a journey's last screen ends by itself, once the kiosk
    has seen them inside (no 完成); any other screen ends by its button, and the kiosk then asks for them."""
    app, hands = d.app, d.app.kiosk.hands
    journey = app.journey
    step = journey.step if journey is not None else None
    inside = hands.idreader_sim.card is not None or hands.card_slot.card is not None
    if getattr(step, "until_removed", None) is not None and inside:
        yield d.until("the last screen sees the cards", lambda: journey.cards_seen, timeout=5)
    else:
        d.tap_id("choice_done" if app.sm.current == "choice" else "primary")   # a new card's done screen: 完成
    hands.remove_id_card()
    hands.remove_card()
    yield d.screen("attract", timeout=20)


def tile_problems(menu) -> list[str]:
    """What is wrong with the tiles on the home screen's current page: words outside their tile or their
    label, a Chinese title on more than one line, a line holding one character alone."""
    problems = []
    for name, tile in menu.ids.items():
        if not name.startswith("tile_") or tile.parent is None:
            continue
        for label in (tile.ids.title_label, tile.ids.note_label):
            label.texture_update()
            text = label.text
            if label.texture_size[0] > label.width + 1:
                problems.append(f"{name}: {text!r} is wider than its label")
            if label.x < tile.x or label.right > tile.right + 0.5 or label.y < tile.y or label.top > tile.top + 0.5:
                problems.append(f"{name}: {text!r} overruns the tile's border")
            lines = ["".join(w.text for w in line.words).strip() for line in label._label._cached_lines]
            if any(len(line) == 1 for line in lines if line):
                problems.append(f"{name}: {text!r} leaves one character alone on a line: {lines}")
            if label is tile.ids.title_label and any("\u4e00" <= c <= "\u9fff" for c in text) and len(lines) > 1:
                problems.append(f"{name}: Chinese title {text!r} wraps: {lines}")
    return problems


def every_page_fits(d):
    """Every page of the home screen, as it is now (scale, language): the greeting and the 长辈模式 switch
    inside their boxes, every tile fits (tile_problems)."""
    menu = d.app.sm.get_screen("attract")
    for widget in (menu.ids.welcome, menu.ids.elderly):
        widget.texture_update()
        assert widget.texture_size[0] <= widget.width + 1 and widget.texture_size[1] <= widget.height + 1, \
            (widget.text, widget.texture_size, widget.size)
    page = 0
    while True:
        menu.page = page
        menu.refresh()
        yield d.until(f"home page {page + 1} laid out", lambda: True, timeout=1)
        assert not tile_problems(menu), tile_problems(menu)
        if not menu.has_next:
            break
        page += 1
    menu.page = 0
    menu.refresh()
    yield d.until("home page 1 again", lambda: True, timeout=1)
