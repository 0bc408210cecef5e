"""Voice prompts: real espeak-ng synthesis into the cache, the one-prompt queue, mute, and a missing engine.

espeak-ng and aplay come from scripts/system-deps.sh (run by `make test`); these tests fail, not skip,
when they are missing."""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time
import wave

import pytest

from kiosk.config import Config, VoiceConfig
from kiosk.voice import (DEFAULT_VOICE, AplayPlayer, EspeakNg, NullPlayer, PlaybackError, RecordingPlayer, Voice,
                         VoiceCache, wav_ok, wav_seconds)

PROMPTS = ["请将身份证放在读卡区", "请插入社保卡", "请输入六位密码", "请再次输入新密码", "请取走您的社保卡",
           "请在90秒内取走您的卡", "密码错误，还可以输入3次。", "正在办理，请稍候", "请取走凭条", "谢谢使用，再见"]


@pytest.fixture(scope="module", autouse=True)
def system_packages():
    missing = [tool for tool in ("espeak-ng", "aplay") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed: run scripts/system-deps.sh (make test does)")


@pytest.fixture
def cache(tmp_path):
    return VoiceCache(str(tmp_path / "voice"), EspeakNg())


def test_the_mandarin_voices_are_installed():
    out = subprocess.run(["espeak-ng", "--voices=cmn"], capture_output=True, text=True, check=True).stdout
    assert {"cmn", DEFAULT_VOICE} <= {line.split()[1] for line in out.splitlines()[1:]}


@pytest.mark.parametrize("text", PROMPTS)
def test_the_default_voice_reads_chinese_as_mandarin_not_english(text):
    phonemes = EspeakNg().phonemes(text)
    assert phonemes and "(en)" not in phonemes, phonemes


def test_synthesis_writes_a_valid_wav_of_plausible_length(cache):
    path = cache.get("请将身份证放在读卡区")                # 10 syllables
    assert path.startswith(cache.directory) and len(os.path.basename(path)) == 64 + 4
    with wave.open(path, "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        assert wav.getnframes() > 0
    assert 10 * 0.15 < wav_seconds(path) < 10 * 0.8


def test_a_slower_rate_is_a_longer_recording_in_another_file(tmp_path):
    slow = VoiceCache(str(tmp_path), EspeakNg(rate=100)).get("请插入社保卡")
    fast = VoiceCache(str(tmp_path), EspeakNg(rate=200)).get("请插入社保卡")
    assert slow != fast
    assert wav_seconds(slow) > wav_seconds(fast) * 1.4


def test_the_cache_is_hit_the_second_time(cache, monkeypatch):
    first = cache.get("请插入社保卡")
    before = os.stat(first)
    calls = []
    monkeypatch.setattr(cache.engine, "synthesize", lambda text, path: calls.append(text))
    second = cache.get("请插入社保卡")
    after = os.stat(second)
    assert second == first and calls == []
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino, before.st_mtime_ns, before.st_size)
    assert sorted(os.listdir(cache.directory)) == [os.path.basename(first)]   # no temporary files left


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage", "header only"])
def test_a_damaged_cache_file_is_synthesized_again(cache, damage, caplog):
    path = cache.get("请输入六位密码")
    good = open(path, "rb").read()
    data = {"empty": b"", "truncated": good[: len(good) // 2], "garbage": os.urandom(len(good)),
            "header only": good[:44]}[damage]
    with open(path, "wb") as fh:
        fh.write(data)
    assert not wav_ok(path)
    with caplog.at_level(logging.WARNING, "kiosk.voice"):
        assert cache.get("请输入六位密码") == path
    assert wav_ok(path) and open(path, "rb").read() == good     # espeak-ng is deterministic
    assert "damaged" in caplog.text


def test_say_plays_the_cached_file(tmp_path):
    player = RecordingPlayer()
    with Voice(str(tmp_path / "voice"), player) as voice:
        voice.say("请插入社保卡")
        assert voice.wait_idle(10)
        assert player.played == player.finished == [voice.cache.path_for("请插入社保卡")]


def test_say_returns_at_once(tmp_path):
    player = RecordingPlayer(hold=True)
    with Voice(str(tmp_path), player) as voice:
        voice.say("请插入社保卡")
        assert player.wait_for(lambda p: len(p.played) == 1)
        done = threading.Event()
        threading.Thread(target=lambda: (voice.say("请输入六位密码"), done.set()), daemon=True).start()
        assert done.wait(1)       # not blocked by the prompt being played
        player.release()


def test_mute_stops_the_prompt_being_played_and_silences_the_next(tmp_path):
    player = RecordingPlayer(hold=True)
    with Voice(str(tmp_path), player) as voice:
        voice.say("请将身份证放在读卡区")
        assert player.wait_for(lambda p: len(p.played) == 1)
        voice.mute()
        assert voice.muted
        assert player.wait_for(lambda p: p.interrupted == p.played)
        voice.say("请插入社保卡")
        assert voice.wait_idle(5) and len(player.played) == 1
        voice.unmute()
        assert not voice.muted
        voice.say("请输入六位密码")
        assert player.wait_for(lambda p: len(p.played) == 2)
        assert player.played[1] == voice.cache.path_for("请输入六位密码")
        player.release()


def test_a_newer_prompt_replaces_a_queued_one(tmp_path):
    player = RecordingPlayer(hold=True, interruptible=False)     # the first prompt cannot be cut short
    with Voice(str(tmp_path), player) as voice:
        voice.say("请将身份证放在读卡区")
        assert player.wait_for(lambda p: len(p.played) == 1)
        voice.say("请插入社保卡")          # waits behind the first…
        voice.say("请输入六位密码")        # …and is replaced: the citizen is on this step now
        player.release()
        assert player.wait_for(lambda p: len(p.played) == 2)
        player.release()
        assert voice.wait_idle(5)
        assert player.played == [voice.cache.path_for(t) for t in ("请将身份证放在读卡区", "请输入六位密码")]


def test_a_newer_prompt_interrupts_the_one_being_played(tmp_path):
    player = RecordingPlayer(hold=True)
    with Voice(str(tmp_path), player) as voice:
        voice.say("请将身份证放在读卡区")
        assert player.wait_for(lambda p: len(p.played) == 1)
        voice.say("请插入社保卡")
        assert player.wait_for(lambda p: len(p.played) == 2)
        assert player.interrupted == [voice.cache.path_for("请将身份证放在读卡区")]
        player.release()


def test_the_same_prompt_again_is_not_restarted(tmp_path):
    player = RecordingPlayer(hold=True)
    with Voice(str(tmp_path), player) as voice:
        voice.say("请插入社保卡")
        assert player.wait_for(lambda p: len(p.played) == 1)
        voice.say("请插入社保卡")
        player.release()
        assert voice.wait_idle(5)
        assert len(player.played) == 1 and player.interrupted == []


def test_an_uncached_prompt_leaves_nothing_on_disk(tmp_path):
    player = RecordingPlayer()
    with Voice(str(tmp_path / "voice"), player) as voice:
        voice.say("刘䶮，请取走您的社保卡", cache=False)
        assert voice.wait_idle(10)
    assert len(player.finished) == 1
    assert not player.finished[0].startswith(str(tmp_path)) and not os.path.exists(player.finished[0])
    assert not (tmp_path / "voice").exists() or os.listdir(tmp_path / "voice") == []


def test_prewarm_synthesizes_what_is_not_cached(tmp_path):
    with Voice(str(tmp_path), NullPlayer()) as voice:
        assert voice.prewarm(PROMPTS[:3]) == 3
        assert voice.prewarm(PROMPTS[:4]) == 1
        assert all(wav_ok(voice.cache.path_for(t)) for t in PROMPTS[:4])


@pytest.mark.parametrize("how", ["no espeak-ng", "unknown voice"])
def test_a_missing_engine_makes_the_voice_silent_with_one_log_line(tmp_path, caplog, how):
    player = RecordingPlayer()
    kwargs = {"executable": "espeak-ng-not-installed"} if how == "no espeak-ng" else {"voice": "xx-no-such-voice"}
    with caplog.at_level(logging.DEBUG, "kiosk.voice"):
        with Voice(str(tmp_path), player, **kwargs) as voice:
            voice.say("请插入社保卡")
            assert voice.wait_idle(10)
            assert voice.silent
            voice.say("请输入六位密码")
            assert voice.prewarm(PROMPTS) == 0
            assert voice.wait_idle(5)
    assert player.played == []
    lines = [r for r in caplog.records if r.name == "kiosk.voice"]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING, [r.getMessage() for r in lines]
    assert "voice prompts are off" in lines[0].getMessage()


def test_aplay_plays_and_a_failing_device_is_logged_once(tmp_path, caplog):
    path = VoiceCache(str(tmp_path), EspeakNg()).get("请插入社保卡")
    AplayPlayer("null").play(path, threading.Event())             # ALSA's null device: no sound card needed
    with pytest.raises(PlaybackError, match="aplay"):
        AplayPlayer("no-such-device").play(path, threading.Event())
    with caplog.at_level(logging.DEBUG, "kiosk.voice"):
        with Voice(str(tmp_path), AplayPlayer("no-such-device")) as voice:
            for text in PROMPTS[:3]:
                voice.say(text)
                assert voice.wait_idle(10)
            assert not voice.silent                                 # tried again at each prompt
    lines = [r.getMessage() for r in caplog.records if r.name == "kiosk.voice"]
    assert len(lines) == 1 and "playback failed" in lines[0]


def test_aplay_is_stopped_when_interrupted(tmp_path):
    path = VoiceCache(str(tmp_path), EspeakNg(rate=80)).get("请将身份证放在读卡区，请将身份证放在读卡区")
    # a FIFO as the output: aplay blocks writing to it until it is stopped
    fifo = str(tmp_path / "out.fifo")
    os.mkfifo(fifo)
    cancel = threading.Event()
    player = AplayPlayer(f"file:'{fifo}',raw")
    reader = open(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK), "rb")   # keeps the FIFO open, reads nothing
    try:
        threading.Timer(0.3, cancel.set).start()
        start = time.monotonic()
        done = threading.Event()
        threading.Thread(target=lambda: (player.play(path, cancel), done.set()), daemon=True).start()
        assert done.wait(5)                     # play() raised nothing, and returned…
        assert 0.3 <= time.monotonic() - start < 1.0       # …soon after the interruption
    finally:
        reader.close()


def test_from_config(tmp_path):
    state = str(tmp_path)
    with Voice.from_config(Config(state_dir=state)) as voice:
        assert voice.cache.directory == os.path.join(state, "voice")
        assert isinstance(voice.player, AplayPlayer) and voice.engine.rate == 140 and not voice.silent
    with Voice.from_config(Config(state_dir=state, voice=VoiceConfig(rate=110, player="aplay:null"))) as voice:
        assert voice.player.device == "null" and voice.engine.rate == 110
    for off in (VoiceConfig(enabled=False), VoiceConfig(player="none")):
        with Voice.from_config(Config(state_dir=state, voice=off)) as voice:
            assert voice.silent
            voice.say("请插入社保卡")
            assert voice.wait_idle(1)


def test_after_close_say_does_nothing(tmp_path):
    player = RecordingPlayer()
    voice = Voice(str(tmp_path), player)
    voice.close()
    voice.close()
    voice.say("请插入社保卡")
    assert player.played == [] and voice.silent


def test_the_core_module_does_not_import_kivy():
    code = "import sys, kiosk.voice; sys.exit('kivy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=os.path.dirname(os.path.dirname(__file__))).returncode == 0


def test_a_failed_synthesis_silences_that_prompt_only(tmp_path, caplog, monkeypatch):
    player = RecordingPlayer()
    with caplog.at_level(logging.WARNING, "kiosk.voice"):
        with Voice(str(tmp_path), player) as voice:
            real = voice.engine.synthesize
            monkeypatch.setattr(voice.engine, "synthesize", lambda text, path: None)   # writes no WAV
            voice.say("请插入社保卡")
            assert voice.wait_idle(10) and player.played == [] and not voice.silent
            assert os.listdir(tmp_path) == []                  # no temporary file left behind
            monkeypatch.setattr(voice.engine, "synthesize", real)
            voice.say("请插入社保卡")
            assert voice.wait_idle(10) and len(player.finished) == 1
    assert [r.getMessage() for r in caplog.records].count(
        "voice synthesis failed: espeak-ng wrote no usable WAV; this prompt is silent") == 1
