"""The kiosk app run by a touch script under Xvfb, for a UI test: the window at the kiosk's 1280x800, a whole
kiosk in this process (simulated devices, the embedded service), optionally the card behind pcscd/vpcd and a
real voice whose "speaker" records what it played. Kivy is imported only inside ``kiosk_app``, after
``boot.prepare`` has sized the window (importing Kivy's window first would open it at 800x600).

    with kiosk_app(tmp_path, script, voice=True) as run:
        staff_calls = run.kiosk.service.store.query(...)     # read while the kiosk is still open
    assert ...
"""
from __future__ import annotations

import pathlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

ARTIFACTS = pathlib.Path(__file__).parent / "artifacts" / "screens"


@dataclass
class Run:
    app: Any
    kiosk: Any
    driver: Any
    spoken: Any            # the RecordingPlayer's list of played files (voice=True), else None
    state: pathlib.Path


# one voice cache for the UI tests that do not listen to the voice (its writes are atomic: both workers share it)
SHARED_VOICE_CACHE = pathlib.Path(__file__).resolve().parent.parent / "var" / "test-voice-cache"


@contextmanager
def kiosk_app(tmp_path, script, *, vpcd: bool = False, voice: bool = False, session_timeout_s: int = 60,
              **app_options):
    state = tmp_path / "state"
    from kiosk.logsetup import configure
    configure(str(state))
    from kiosk.screens import boot
    boot.prepare(str(state), fullscreen=False, width=1280, height=800)
    from kiosk.config import Config, UiConfig
    from kiosk.runtime import Kiosk
    from kiosk.screens.app import KioskApp
    from kiosk.voice import RecordingPlayer, Voice
    from tests.ui_driver import Driver

    kiosk = Kiosk(Config(state_dir=str(state), ui=UiConfig(fullscreen=False),
                         **({"cardreader": "vpcd"} if vpcd else {})))
    player = None
    if voice:                                   # real espeak-ng, a recording "speaker"
        player = RecordingPlayer()
        kiosk.voice.close()
        kiosk.voice = Voice(str(state / "voice"), player)
    else:                  # the fixed prompts synthesized once per test run, not again for every UI test's kiosk
        unheard = kiosk.voice.player
        kiosk.voice.close()
        kiosk.voice = Voice(str(SHARED_VOICE_CACHE), unheard)
    app = KioskApp(kiosk, session_timeout_s=session_timeout_s, **app_options)
    driver = Driver(app, str(ARTIFACTS))
    driver.run(script)
    try:
        app.run()
        assert driver.error is None, driver.error
        assert driver.finished, "the app stopped before the script ended"
        yield Run(app, kiosk, driver, player.played if player else None, state)
    finally:
        kiosk.close()
