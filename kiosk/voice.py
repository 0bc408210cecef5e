"""Mandarin voice prompts: synthesized offline by espeak-ng, cached as WAV files, played by one background
thread. No Kivy here: the UI calls ``Voice.say()`` with the Chinese instruction it shows.

    voice = Voice.from_config(config)       # <state_dir>/voice/<sha256>.wav, aplay
    voice.prewarm(["请将身份证放在读卡区", "请插入社保卡"])   # optional: synthesize ahead of time
    voice.say("请输入六位密码")             # returns at once
    voice.say("请取走您的社保卡", beep=True)  # a short beep first (a card left in the machine)
    voice.mute(); voice.unmute(); voice.muted
    voice.close()

Only the current step is spoken: a newer prompt stops the one being spoken and replaces one still waiting,
so an elderly citizen never hears a backlog of instructions for screens already left behind.

The voice never stops the kiosk: espeak-ng missing (or the configured voice unknown) is logged once and the
voice is silent from then on; a failing player is logged once and tried again at the next prompt (a sound
card may come back). Prompt texts are never logged, since a caller may pass one with personal data; for
such text use ``say(text, cache=False)``, which leaves nothing in the cache directory.

Voice choice: Debian 12's espeak-ng 1.51 turns Chinese characters into tone-numbered pinyin, and its "cmn"
voice then reads that pinyin as English ("请" → "qing3" → "king three"; espeak-ng issue 1236). The
"cmn-latn-pinyin" voice reads the same pinyin as Mandarin, so it is the default; ``phonemes()`` shows what
a voice makes of a text (an "(en)" in it means English pronunciation).
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from typing import Iterable, Protocol

log = logging.getLogger("kiosk.voice")

DEFAULT_VOICE = "cmn-latn-pinyin"
DEFAULT_RATE = 140          # words per minute; espeak-ng's own default is 175
MIN_RATE, MAX_RATE = 80, 300
PLAYERS = ("aplay", "none")  # "aplay:DEVICE" picks an ALSA device, e.g. "aplay:plughw:1,0"
SYNTH_TIMEOUT_S = 30


class SynthesisError(RuntimeError):
    pass


class EngineMissing(SynthesisError):
    """espeak-ng or the voice is not installed: nothing can be synthesized at all."""


class PlaybackError(RuntimeError):
    pass


# ---- synthesis ---------------------------------------------------------------------------------------------

class EspeakNg:
    """espeak-ng as a command: text in on stdin, a WAV file out."""

    def __init__(self, voice: str = DEFAULT_VOICE, rate: int = DEFAULT_RATE, executable: str = "espeak-ng"):
        self.voice, self.rate, self.executable = voice, rate, executable
        self._version: str | None = None

    def _run(self, args: list[str], text: str) -> subprocess.CompletedProcess:
        exe = shutil.which(self.executable)
        if exe is None:
            raise EngineMissing(f"{self.executable} is not installed (apt-get install espeak-ng)")
        try:
            result = subprocess.run([exe, *args], input=text.encode("utf-8"), capture_output=True,
                                    timeout=SYNTH_TIMEOUT_S, check=False)
        except FileNotFoundError:
            raise EngineMissing(f"{self.executable} is not installed (apt-get install espeak-ng)") from None
        except subprocess.TimeoutExpired:
            raise SynthesisError(f"{self.executable} took more than {SYNTH_TIMEOUT_S} s") from None
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip() or f"exit status {result.returncode}"
            if "voice does not exist" in message or "Failed to read voice" in message:
                raise EngineMissing(f"{self.executable} voice {self.voice!r}: {message}")
            raise SynthesisError(f"{self.executable}: {message}")
        return result

    @property
    def version(self) -> str:
        """The engine's version line: part of the cache key, so an upgrade does not keep old recordings."""
        if self._version is None:
            self._version = self._run(["--version"], "").stdout.decode("utf-8", "replace").split(" Data at")[0].strip()
        return self._version

    def key(self, text: str) -> str:
        return hashlib.sha256("\n".join((self.version, self.voice, str(self.rate), text)).encode("utf-8")).hexdigest()

    def synthesize(self, text: str, path: str) -> None:
        self._run(["-v", self.voice, "-s", str(self.rate), "-w", path], text)

    def phonemes(self, text: str) -> str:
        """espeak-ng's phoneme mnemonics for the text; "(en)" marks a stretch spoken as English."""
        return self._run(["-v", self.voice, "-s", str(self.rate), "-q", "-x"], text).stdout.decode("utf-8").strip()


def wav_ok(path: str) -> bool:
    """A complete PCM WAV with sound in it: the header parses and the file holds every frame it announces."""
    try:
        size = os.path.getsize(path)
        with wave.open(path, "rb") as wav:
            frames, width, channels = wav.getnframes(), wav.getsampwidth(), wav.getnchannels()
            return frames > 0 and wav.getframerate() > 0 and size >= 44 + frames * width * channels
    except (OSError, EOFError, wave.Error):
        return False


def wav_seconds(path: str) -> float:
    with wave.open(path, "rb") as wav:
        return wav.getnframes() / wav.getframerate()


class VoiceCache:
    """<directory>/<sha256 of engine version, voice, rate and text>.wav, written atomically (temporary file
    + rename) so a crash or a concurrent prewarm never leaves half a file under the final name. A file that
    is empty or does not parse as a complete WAV is synthesized again."""

    def __init__(self, directory: str, engine: EspeakNg):
        self.directory, self.engine = directory, engine

    def path_for(self, text: str) -> str:
        return os.path.join(self.directory, self.engine.key(text) + ".wav")

    def get(self, text: str) -> str:
        """The WAV file for the text, synthesized now if it is not cached (or the cached one is damaged)."""
        path = self.path_for(text)
        if wav_ok(path):
            return path
        if os.path.exists(path):
            log.warning("voice cache: %s is damaged; synthesizing it again", os.path.basename(path))
        os.makedirs(self.directory, exist_ok=True)
        self._synthesize_to(text, path)
        return path

    def synthesize_uncached(self, text: str) -> str:
        """A temporary WAV file (the caller removes it): for prompts that must not stay on disk."""
        fd, path = tempfile.mkstemp(suffix=".wav", prefix="sbk-voice-")
        os.close(fd)
        try:
            self._synthesize_to(text, path)
        except BaseException:
            _remove(path)
            raise
        return path

    def _synthesize_to(self, text: str, path: str) -> None:
        fd, tmp = tempfile.mkstemp(suffix=".tmp", dir=os.path.dirname(path))
        os.close(fd)
        try:
            self.engine.synthesize(text, tmp)
            if not wav_ok(tmp):
                raise SynthesisError(f"{self.engine.executable} wrote no usable WAV")
            os.replace(tmp, path)
        finally:
            _remove(tmp)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


BEEP_HZ, BEEP_S, BEEP_RATE = 880, 0.18, 22050


def write_beep(path: str) -> None:
    """Two short 880 Hz beeps (a tone that carries in a hall and is not a voice), as a PCM WAV like the
    prompts, so the same player plays it. Written atomically, as the prompts are."""
    import math
    import struct
    tone = [int(12000 * math.sin(2 * math.pi * BEEP_HZ * i / BEEP_RATE)) for i in range(int(BEEP_S * BEEP_RATE))]
    gap = [0] * int(0.12 * BEEP_RATE)
    samples = tone + gap + tone + gap
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    os.close(fd)
    with wave.open(tmp, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(BEEP_RATE)
        wav.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    os.replace(tmp, path)


# ---- players -----------------------------------------------------------------------------------------------

class Player(Protocol):
    def play(self, path: str, cancel: threading.Event) -> None:
        """Plays the file and returns when it has been played or ``cancel`` is set; raises PlaybackError."""


class AplayPlayer:
    """ALSA's aplay (alsa-utils), one process per prompt, terminated when the prompt is interrupted."""

    def __init__(self, device: str | None = None, executable: str = "aplay"):
        self.device, self.executable = device, executable

    def play(self, path: str, cancel: threading.Event) -> None:
        args = [self.executable, "-q"] + (["-D", self.device] if self.device else []) + [path]
        try:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
        except OSError as exc:
            raise PlaybackError(f"{self.executable}: {exc}") from None
        with proc:
            while proc.poll() is None:
                if cancel.wait(0.02):
                    proc.terminate()
                    try:
                        proc.wait(0.3)        # aplay blocked in a write may not act on SIGTERM at once
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                    return
            if proc.returncode != 0:
                lines = proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
                raise PlaybackError(f"{self.executable}: {lines[-1] if lines else f'exit status {proc.returncode}'}")


class NullPlayer:
    def play(self, path: str, cancel: threading.Event) -> None:
        pass


class RecordingPlayer:
    """Records what was played, for tests. ``seconds`` is how long a play lasts; ``hold=True`` makes each
    play last until ``release()``; ``interruptible=False`` makes it ignore interruptions (a player that
    cannot be stopped), so the queue behind it can be observed."""

    def __init__(self, seconds: float = 0.0, hold: bool = False, interruptible: bool = True):
        self.seconds, self.hold, self.interruptible = seconds, hold, interruptible
        self.played: list[str] = []        # every file whose play started, in order
        self.finished: list[str] = []      # played to the end (or released)
        self.interrupted: list[str] = []
        self._changed = threading.Condition()
        self._release = threading.Event()

    def play(self, path: str, cancel: threading.Event) -> None:
        with self._changed:
            self._release.clear()
            self.played.append(path)
            self._changed.notify_all()
        deadline = None if self.hold else time.monotonic() + self.seconds
        stop = cancel if self.interruptible else threading.Event()
        while not self._release.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                break
            if stop.wait(0.005):
                with self._changed:
                    self.interrupted.append(path)
                    self._changed.notify_all()
                return
        with self._changed:
            self.finished.append(path)
            self._changed.notify_all()

    def release(self) -> None:
        """Ends the play that is holding."""
        self._release.set()

    def wait_for(self, predicate, timeout: float = 10.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout)


def valid_player(name: str) -> bool:
    """"aplay", "aplay:DEVICE" (an ALSA device name, e.g. plughw:1,0) or "none"."""
    return name in PLAYERS or (name.startswith("aplay:") and len(name) > 6 and not any(c.isspace() for c in name))


def make_player(name: str) -> Player:
    if not valid_player(name):
        raise ValueError(f"voice player {name!r}: aplay, aplay:DEVICE or none")
    if name == "none":
        return NullPlayer()
    if shutil.which("aplay") is None:
        log.warning("voice: aplay is not installed (apt-get install alsa-utils); prompts are silent")
        return NullPlayer()
    return AplayPlayer(name.partition(":")[2] or None)


# ---- the voice ---------------------------------------------------------------------------------------------

class Voice:
    def __init__(self, cache_dir: str, player: Player | None = None, *, voice: str = DEFAULT_VOICE,
                 rate: int = DEFAULT_RATE, executable: str = "espeak-ng", enabled: bool = True):
        self.engine = EspeakNg(voice, rate, executable)
        self.cache = VoiceCache(cache_dir, self.engine)
        self.player: Player = player if player is not None else make_player("aplay")
        self.enabled = enabled
        self._lock = threading.Condition()
        self._pending: tuple[str, bool, bool] | None = None   # (text, cache, beep): at most one prompt waits
        self._current: str | None = None                # the prompt being synthesized or played
        self._cancel = threading.Event()                # set to interrupt the current prompt
        self._muted = False
        self._closed = False
        self._engine_missing = False
        self._synth_failure_logged = False
        self._play_failure_logged = False
        self._thread: threading.Thread | None = None
        if enabled:
            self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
            self._thread.start()

    @classmethod
    def from_config(cls, config) -> "Voice":
        """From kiosk.config.Config: <state_dir>/voice as the cache, the [voice] table's player and rate."""
        vc = config.voice
        player = make_player(vc.player) if vc.enabled else NullPlayer()
        return cls(os.path.join(config.state_dir, "voice"), player, voice=vc.voice, rate=vc.rate,
                   enabled=vc.enabled and vc.player != "none")

    # -- the UI's calls --

    def say(self, text_zh: str, cache: bool = True, beep: bool = False) -> None:
        """Speaks the text in the background: stops the prompt being spoken and replaces a waiting one.
        The same text while it is being spoken is not started again. ``cache=False``: synthesized into a
        temporary file removed after playing (for text with personal data). ``beep``: a short beep before
        the words (a card left in the machine, a new card at the gate); ``say("", beep=True)`` beeps only."""
        text = text_zh.strip()
        with self._lock:
            if not (text or beep) or self._closed or self._muted or not self.enabled:
                return
            if self._engine_missing and not beep:
                return
            if text == self._current and self._pending is None and not self._cancel.is_set() and not beep:
                return
            self._pending = (text, cache, beep)
            self._cancel.set()
            self._lock.notify_all()

    def mute(self) -> None:
        """Silence now: the prompt being spoken stops, a waiting one is dropped, and say() is ignored."""
        with self._lock:
            self._muted = True
            self._pending = None
            self._cancel.set()
            self._lock.notify_all()

    def unmute(self) -> None:
        with self._lock:
            self._muted = False

    @property
    def muted(self) -> bool:
        return self._muted

    @property
    def silent(self) -> bool:
        """True when nothing can be spoken: disabled, closed, or espeak-ng (or its voice) missing."""
        return not self.enabled or self._closed or self._engine_missing

    def prewarm(self, texts: Iterable[str]) -> int:
        """Synthesizes the texts not cached yet (in the calling thread; ~20 ms each); returns how many were
        synthesized. Safe beside the player thread."""
        made = 0
        for text in texts:
            text = text.strip()
            if not text or self._engine_missing:
                continue
            path = self._cache_path(text)
            if path is None or wav_ok(path):
                continue
            if self._synthesize(text, True) is not None:
                made += 1
        return made

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once nothing is waiting or being spoken (tests, benchmarks, an orderly shutdown)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending is None and self._current is None, timeout)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._pending = None
            self._cancel.set()
            self._lock.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    def __enter__(self) -> "Voice":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the player thread --

    def _cache_path(self, text: str) -> str | None:
        try:
            return self.cache.path_for(text)
        except SynthesisError as exc:
            self._synthesis_failed(exc)
            return None

    def _synthesize(self, text: str, cache: bool) -> str | None:
        try:
            return self.cache.get(text) if cache else self.cache.synthesize_uncached(text)
        except (SynthesisError, OSError) as exc:
            self._synthesis_failed(exc)
            return None

    def _synthesis_failed(self, exc: Exception) -> None:
        missing = isinstance(exc, EngineMissing)
        with self._lock:
            if missing:     # logged once, when the voice goes silent for good
                first, self._engine_missing, self._pending = not self._engine_missing, True, None
            else:           # one text failing: the first such failure is a warning, the rest debug lines
                first, self._synth_failure_logged = not self._synth_failure_logged, True
        if first:
            log.warning("voice synthesis failed: %s%s", exc,
                        "; voice prompts are off" if missing else "; this prompt is silent")
        else:
            log.debug("voice synthesis failed: %s", exc)

    @property
    def beep_path(self) -> str:
        return os.path.join(self.cache.directory, "beep.wav")

    def _beep(self, cancel: threading.Event) -> None:
        try:
            if not wav_ok(self.beep_path):
                write_beep(self.beep_path)
            self.player.play(self.beep_path, cancel)
        except (OSError, PlaybackError) as exc:
            log.debug("beep not played: %s", exc)
        except Exception:   # a player bug must not end the thread
            log.exception("voice player crashed on the beep")

    def _run(self) -> None:
        while True:
            with self._lock:
                self._current = None
                self._lock.notify_all()
                self._lock.wait_for(lambda: self._pending is not None or self._closed)
                if self._closed:
                    return
                (text, cache, beep), self._pending = self._pending, None
                self._current = text
                self._cancel = cancel = threading.Event()
            if beep:
                self._beep(cancel)
                if not text:
                    continue
            path = self._synthesize(text, cache)
            if path is None or cancel.is_set():
                if path is not None and not cache:
                    _remove(path)
                continue
            try:
                self.player.play(path, cancel)
            except PlaybackError as exc:
                if not self._play_failure_logged:
                    self._play_failure_logged = True
                    log.warning("voice playback failed: %s (logged once; tried again at each prompt)", exc)
            except Exception:   # a player bug must not end the thread: the kiosk goes on without sound
                log.exception("voice player crashed")
            finally:
                if not cache:
                    _remove(path)
