"""Kivy set-up that must happen before Kivy's window exists: no user config, kiosk-safe defaults, the CJK
font as the default font. Call :func:`prepare` before importing anything else from Kivy."""
from __future__ import annotations

import os

main_font: str | None = None     # the default face's file, once prepare() ran (the app checks its coverage)


def prepare(state_dir: str, fullscreen: bool, width: int, height: int) -> None:
    os.environ.setdefault("KIVY_NO_ARGS", "1")          # our own argv is not Kivy's
    os.environ["KIVY_NO_CONFIG"] = "1"                  # never read or write the user's ~/.kivy/config.ini
    os.environ["KIVY_HOME"] = os.path.join(state_dir, "kivy")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    # SDL would turn SIGTERM into a window-close request, which a kiosk refuses (Esc and the window manager
    # must not end it), so `systemctl stop` would hang until SIGKILL. The app handles SIGTERM itself.
    os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"
    from kivy.config import Config
    Config.set("kivy", "exit_on_escape", "0")            # Esc must not end a citizen's session
    Config.set("kivy", "log_enable", "0")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "allow_screensaver", "0")       # SDL keeps the screen from blanking while it runs
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    # one input path: the mouse provider without its red multitouch-simulation dots
    Config.set("input", "mouse", "mouse,disable_multitouch")
    # probesysfs would read the same touchscreen a second time, straight from evdev (anchors.md §3.7)
    for option in list(Config.options("input")) if Config.has_section("input") else []:
        if option != "mouse":
            Config.remove_option("input", option)

    from kiosk import fonts
    from kivy.core.text import LabelBase, DEFAULT_FONT
    font_dir = os.path.join(state_dir, "fonts")
    global main_font
    main_font = fonts.sc_font_file(font_dir, "Regular")
    LabelBase.register(DEFAULT_FONT, fn_regular=main_font, fn_bold=fonts.sc_font_file(font_dir, "Bold"))
