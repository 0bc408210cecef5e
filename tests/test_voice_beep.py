"""The beep that goes with "take your card" (kiosk/voice.py): played before the words, by the same player,
as a valid WAV; a beep alone; silent when muted."""
from __future__ import annotations

import wave

from kiosk.voice import RecordingPlayer, Voice, wav_ok


def test_a_beep_is_played_before_the_words(tmp_path):
    player = RecordingPlayer()
    with Voice(str(tmp_path / "voice"), player) as voice:
        voice.say("请取走您的社保卡", beep=True)
        assert player.wait_for(lambda p: len(p.finished) == 2)
        assert player.played == [voice.beep_path, voice.cache.path_for("请取走您的社保卡")]
        assert wav_ok(voice.beep_path)
        with wave.open(voice.beep_path, "rb") as wav:
            assert 0.3 < wav.getnframes() / wav.getframerate() < 1.0      # short: a signal, not a tune


def test_a_beep_alone_and_again_for_a_reminder(tmp_path):
    player = RecordingPlayer()
    with Voice(str(tmp_path / "voice"), player) as voice:
        voice.say("", beep=True)
        assert player.wait_for(lambda p: len(p.finished) == 1)
        voice.say("", beep=True)                          # a reminder repeats it (unlike a repeated prompt)
        assert player.wait_for(lambda p: len(p.finished) == 2)
        assert player.played == [voice.beep_path] * 2


def test_muted_means_no_beep_either(tmp_path):
    player = RecordingPlayer()
    with Voice(str(tmp_path / "voice"), player) as voice:
        voice.mute()
        voice.say("请取走新卡", beep=True)
        assert voice.wait_idle(2) and player.played == []
