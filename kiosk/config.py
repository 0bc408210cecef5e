"""Kiosk configuration: the embedded default, or a TOML file that switches devices and the service.

Every value is checked when the file is read; a bad value stops start-up with a message that names the
key, so a technician sees at once what to fix.

    kiosk_id = "XA-YT-0001"
    policy = "shaanxi"             # shaanxi | henan | sichuan
    state_dir = "/var/lib/sbk-kiosk"

    [idreader]   port = "sim"       # or a serial device, e.g. "/dev/ttyUSB0"
                 photo_library = "/opt/vendor/libwlt.so"   # optional: the licensed WLT photo decoder
                 photo_function = "unpack", photo_convention = "bmp_buffer", photo_success = 1
    [cardreader] reader = "sim"     # "sim" (virtual card in process), "vpcd" (virtual card behind pcscd),
                                    # or (part of) a PC/SC reader name, e.g. "ACS ACR39U"
    [printer]    transport = "sim"  # or "usb:0416:5011", "serial:/dev/ttyS0:9600", "net:10.0.0.5:9100", "file:/dev/usb/lp0"
    [service]    url = "embedded"   # or the card-management service's URL
                 key_file = "/etc/sbk-kiosk/kiosk-key.pem", service_key_file = "/etc/sbk-kiosk/service-key.pem"
    [security]   module = "keyservice"   # the service's key service; "demo" (demo keys, simulated cards); "none"
    [cardissuer] port = "sim", reader = "sim"   # CRT-591 serial port; the module's PC/SC reader ("vpcd": 00 01)
    [faceprinter] kind = "sim"      # or "evolis", "evolis:NAME", "cups:QUEUE"
    [cardface]   bank_name = "中国农业银行"          # the partner bank whose blank cards are in the hopper
                 bank_mark = "/etc/sbk-kiosk/bank-mark.png"   # its mark for the face: a PNG, 32-2000 px a side;
                                    # not set or missing: the bank's name in text (logged for the technician)
    [camera]     device = "sim"     # "sim" (real photographs of faces), "none" (no photo on the face, no face
                                    # check), or a V4L2 camera "/dev/video0"
                 resolution = "1280x720", fps = 15   # asked of the camera (a card photo needs 720 lines);
                                    # fps paces the simulator
                 person = "holder"  # sim only, who stands in front of it at start: holder, other, photo,
                                    # nobody, two (the simulator panel switches it)
    [face]       services = ["issue", "reset_pin", …]   # 人证核验 before these (default: the region's policy)
                 threshold = 0.5    # the largest descriptor distance taken as the same person (0.3-0.6)
    [ui]         fullscreen = true, session_timeout_s = 90, language = "zh", pin_pad = "fixed"|"random"
    [voice]      enabled = true, rate = 140, player = "aplay"   # espeak-ng words/min (80-300); "aplay:DEVICE", "none"
                 voice = "cmn-latn-pinyin"                      # the espeak-ng voice (kiosk/voice.py says why)
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field

from kiosk.hw.cardissuer.branding import BankMarkError, check_bank_mark
from kiosk.hw.idreader.photo import CONVENTIONS, PhotoConfig
from kiosk.policy import PROFILES
from kiosk.voice import DEFAULT_RATE, DEFAULT_VOICE, MAX_RATE, MIN_RATE, valid_player

SIM = "sim"
DEMO_BANK = "示例银行"         # the simulated kiosk's partner bank: no real bank's name on a test card


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class UiConfig:
    fullscreen: bool = True
    session_timeout_s: int = 90
    language: str = "zh"
    width: int = 1280
    height: int = 800
    pin_pad: str = "fixed"      # "random": the digit keys move on every PIN prompt (against shoulder surfing)


@dataclass(frozen=True)
class VoiceConfig:
    enabled: bool = True
    rate: int = DEFAULT_RATE       # espeak-ng words per minute, slower than its 175 for elderly listeners
    player: str = "aplay"          # "aplay", "aplay:DEVICE" (an ALSA device) or "none"
    voice: str = DEFAULT_VOICE


@dataclass(frozen=True)
class Config:
    kiosk_id: str = "SIM-0001"
    policy: str = "shaanxi"
    state_dir: str = field(default_factory=lambda: os.path.join(os.getcwd(), "var"))
    idreader_port: str = SIM
    idreader_baudrate: int = 115200
    idreader_photo: PhotoConfig = PhotoConfig()
    cardreader: str = SIM
    printer: str = SIM
    service_url: str = "embedded"
    security: str = "keyservice"  # the service's key service; "demo": soft module with demo keys; "none"
    issuer_port: str = SIM        # the card-issuing module's serial port
    issuer_reader: str = SIM      # the module's own card reader: "sim", "vpcd" (Virtual PCD 00 01) or a name
    faceprinter: str = SIM        # "sim", "evolis[:NAME]" or "cups:QUEUE"
    camera: str = SIM             # "sim", "none" or "/dev/videoN"
    camera_resolution: tuple[int, int] = (1280, 720)
    camera_fps: float = 15.0
    camera_person: str = "holder"  # the simulated camera: who is shown at start (kiosk.hw.camera.simulated)
    # 人证核验 ([face]): None keeps the region's policy (policy.face_check_services, face_match_threshold)
    face_services: tuple[str, ...] | None = None
    face_threshold: float | None = None
    # the partner bank on the card face: its name (printed as text when there is no mark) and its mark's PNG.
    # The simulator's default names no real bank; a real face printer needs the real one (checked below).
    bank_name: str = DEMO_BANK
    bank_mark: str = ""
    issuer_timing: float = 0.2    # simulated module: scale of its mechanical times
    key_file: str = ""            # the kiosk's SM2 private key (PKCS#8 PEM); default state_dir/kiosk-key.pem
    service_key_file: str = ""    # the service's public key pinned at enrolment; default state_dir/service-key.pem
    ui: UiConfig = UiConfig()
    voice: VoiceConfig = VoiceConfig()

    @property
    def kiosk_key_path(self) -> str:
        return self.key_file or os.path.join(self.state_dir, "kiosk-key.pem")

    @property
    def service_key_path(self) -> str:
        return self.service_key_file or os.path.join(self.state_dir, "service-key.pem")

    @property
    def simulated(self) -> bool:
        """Any simulated device: the simulator panel is shown so a tester can place and insert cards."""
        return (SIM in (self.idreader_port, self.printer, self.issuer_port, self.faceprinter)
                or self.cardreader in (SIM, "vpcd"))


_KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_V4L2_NODE = re.compile(r"^/dev/(video\d+|sbk/camera|v4l/by-(id|path)/[\w.:-]+)$")  # a node or its stable name
_RESOLUTION = re.compile(r"^(\d{2,4})x(\d{2,4})$")
CAMERA_PERSONS = ("holder", "other", "photo", "nobody", "two")    # kiosk.hw.camera.simulated.SHOWS
_VOICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+-]{0,63}$")


def _take(table: dict, key: str, kind: type, where: str, default):
    value = table.pop(key, default)
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise ConfigError(f"{where}{key}: expected {kind.__name__}, got {value!r}")
    return value


INSTALLED_PATH = "/etc/sbk-kiosk/kiosk.toml"     # where `provisioning install` puts an installed kiosk's config


def default_path() -> str | None:
    """The config to use when none is named: $SBK_KIOSK_CONFIG, else the installed kiosk's if there is one,
    else None (the embedded demo)."""
    named = os.environ.get("SBK_KIOSK_CONFIG")
    if named:
        return named
    return INSTALLED_PATH if os.path.exists(INSTALLED_PATH) else None


def load(path: str | None) -> Config:
    if path is None:
        return Config()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    base = Config()
    sections = {name: data.pop(name, {}) for name in ("idreader", "cardreader", "printer", "service", "security",
                                                      "cardissuer", "faceprinter", "cardface", "camera", "face",
                                                      "ui", "voice")}
    for name, table in sections.items():
        if not isinstance(table, dict):
            raise ConfigError(f"[{name}] must be a table")
    kiosk_id = _take(data, "kiosk_id", str, "", base.kiosk_id)
    if not _KIOSK_ID.match(kiosk_id):
        raise ConfigError(f"kiosk_id {kiosk_id!r}: use 1-32 letters, digits, '-' or '_'")
    policy = _take(data, "policy", str, "", base.policy)
    if policy not in PROFILES:
        raise ConfigError(f"policy {policy!r}: one of {', '.join(sorted(PROFILES))}")
    state_dir = _take(data, "state_dir", str, "", base.state_dir)
    ui_table = sections["ui"]
    ui = UiConfig(fullscreen=_take(ui_table, "fullscreen", bool, "ui.", True),
                  session_timeout_s=_take(ui_table, "session_timeout_s", int, "ui.", 90),
                  language=_take(ui_table, "language", str, "ui.", "zh"),
                  width=_take(ui_table, "width", int, "ui.", 1280),
                  height=_take(ui_table, "height", int, "ui.", 800),
                  pin_pad=_take(ui_table, "pin_pad", str, "ui.", "fixed"))
    if not 15 <= ui.session_timeout_s <= 600:
        raise ConfigError("ui.session_timeout_s: between 15 and 600 seconds")
    if ui.language not in ("zh", "en"):
        raise ConfigError("ui.language: zh or en")
    if ui.pin_pad not in ("fixed", "random"):
        raise ConfigError("ui.pin_pad: fixed or random")
    vt = sections["voice"]
    voice = VoiceConfig(enabled=_take(vt, "enabled", bool, "voice.", True),
                        rate=_take(vt, "rate", int, "voice.", DEFAULT_RATE),
                        player=_take(vt, "player", str, "voice.", "aplay"),
                        voice=_take(vt, "voice", str, "voice.", DEFAULT_VOICE))
    if not MIN_RATE <= voice.rate <= MAX_RATE:
        raise ConfigError(f"voice.rate {voice.rate}: between {MIN_RATE} and {MAX_RATE} words per minute "
                          f"(espeak-ng's default is 175)")
    if not valid_player(voice.player):
        raise ConfigError(f"voice.player {voice.player!r}: aplay, aplay:DEVICE or none")
    if not _VOICE_NAME.match(voice.voice):
        raise ConfigError(f"voice.voice {voice.voice!r}: an espeak-ng voice name, e.g. cmn-latn-pinyin")
    idr = sections["idreader"]
    photo = PhotoConfig(library=_take(idr, "photo_library", str, "idreader.", ""),
                        function=_take(idr, "photo_function", str, "idreader.", ""),
                        convention=_take(idr, "photo_convention", str, "idreader.", "bmp_buffer"),
                        success=_take(idr, "photo_success", int, "idreader.", 1))
    if photo.convention not in CONVENTIONS:
        raise ConfigError(f"idreader.photo_convention: one of {', '.join(CONVENTIONS)}")
    if bool(photo.library) != bool(photo.function):
        raise ConfigError("idreader.photo_library and idreader.photo_function go together")
    config = Config(
        kiosk_id=kiosk_id, policy=policy, state_dir=state_dir, idreader_photo=photo,
        idreader_port=_take(sections["idreader"], "port", str, "idreader.", SIM),
        idreader_baudrate=_take(sections["idreader"], "baudrate", int, "idreader.", 115200),
        cardreader=_take(sections["cardreader"], "reader", str, "cardreader.", SIM),
        printer=_take(sections["printer"], "transport", str, "printer.", SIM),
        service_url=_take(sections["service"], "url", str, "service.", "embedded"),
        security=_take(sections["security"], "module", str, "security.", "keyservice"),
        issuer_port=_take(sections["cardissuer"], "port", str, "cardissuer.", SIM),
        issuer_reader=_take(sections["cardissuer"], "reader", str, "cardissuer.", SIM),
        faceprinter=_take(sections["faceprinter"], "kind", str, "faceprinter.", SIM),
        **_camera(sections["camera"]), **_face(sections["face"]),
        bank_name=_take(sections["cardface"], "bank_name", str, "cardface.", DEMO_BANK),
        bank_mark=_take(sections["cardface"], "bank_mark", str, "cardface.", ""),
        key_file=_take(sections["service"], "key_file", str, "service.", ""),
        service_key_file=_take(sections["service"], "service_key_file", str, "service.", ""),
        ui=ui, voice=voice)
    leftovers = [k for k in data] + [f"{n}.{k}" for n, t in sections.items() for k in t]
    if leftovers:
        raise ConfigError(f"unknown config keys: {', '.join(leftovers)}")
    if config.security not in ("demo", "keyservice", "none"):
        raise ConfigError(f"security.module {config.security!r}: demo, keyservice or none")
    kind, _, name = config.faceprinter.partition(":")
    if not (kind == SIM and not name or kind == "evolis" or kind == "cups" and name):
        raise ConfigError(f"faceprinter.kind {config.faceprinter!r}: sim, evolis[:NAME] or cups:QUEUE")
    _check_card_face(config)
    if config.service_url != "embedded" and not re.match(r"^https?://[^\s/]+", config.service_url):
        raise ConfigError(f"service.url {config.service_url!r}: 'embedded' or an http(s) URL")
    if config.printer != SIM:
        from kiosk.hw.printer.driver import open_transport
        try:
            open_transport(config.printer)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        except Exception:
            pass   # the transport string is valid; the device itself may be absent right now
    return config


def _camera(table: dict) -> dict:
    """[camera]: the device, what it is asked for, and (simulator only) who stands in front of it."""
    device = _take(table, "device", str, "camera.", SIM)
    if device not in (SIM, "none") and not _V4L2_NODE.match(device):
        raise ConfigError(f"camera.device {device!r}: sim, none or a V4L2 camera such as /dev/video0")
    text = _take(table, "resolution", str, "camera.", "1280x720")
    found = _RESOLUTION.match(text)
    resolution = (int(found.group(1)), int(found.group(2))) if found else None
    if resolution is None or not (160 <= resolution[0] <= 4096 and 120 <= resolution[1] <= 4096):
        raise ConfigError(f"camera.resolution {text!r}: WIDTHxHEIGHT in pixels, e.g. 640x480 "
                          f"(160x120 to 4096x4096)")
    fps = table.pop("fps", 15)
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 1 <= fps <= 60:
        raise ConfigError(f"camera.fps {fps!r}: frames per second, 1 to 60")
    person = _take(table, "person", str, "camera.", "holder")
    if person not in CAMERA_PERSONS:
        raise ConfigError(f"camera.person {person!r}: one of {', '.join(CAMERA_PERSONS)}")
    if person != "holder" and device != SIM:
        raise ConfigError(f"camera.person: only the simulated camera (device = \"sim\") shows a chosen person")
    return {"camera": device, "camera_resolution": resolution, "camera_fps": float(fps), "camera_person": person}


FACE_SERVICES = ("issue", "replace", "reset_pin", "unlock", "loss_formal", "release", "activate", "change_pin",
                 "contact", "loss")   # services (and the formal loss report) a face check may be asked for


def _face(table: dict) -> dict:
    """[face]: which services check the person at the camera, and how alike a face must be (the region's
    policy unless set here: a deployment may be stricter, or — with its own reasons — list fewer)."""
    out: dict = {}
    if "services" in table:
        services = table.pop("services")
        if not isinstance(services, list) or not all(isinstance(x, str) for x in services):
            raise ConfigError("face.services: a list of service keys, e.g. [\"issue\", \"reset_pin\"]")
        unknown = [x for x in services if x not in FACE_SERVICES]
        if unknown:
            raise ConfigError(f"face.services: unknown {', '.join(unknown)}; from {', '.join(FACE_SERVICES)}")
        out["face_services"] = tuple(services)
    if "threshold" in table:
        threshold = table.pop("threshold")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.3 <= threshold <= 0.6:
            raise ConfigError(f"face.threshold {threshold!r}: a descriptor distance from 0.3 (strict) to 0.6 "
                              f"(dlib's own; more lets strangers through)")
        out["face_threshold"] = float(threshold)
    return out


def _check_card_face(config: Config) -> None:
    """The bank printed on real cards must be named; a mark file that is there must be a usable PNG (one not
    there is the text fallback, logged when the devices are built: kiosk/hw/cardissuer/branding.py)."""
    if not config.bank_name.strip() or len(config.bank_name) > 20:
        raise ConfigError(f"cardface.bank_name {config.bank_name!r}: the partner bank's name, 1-20 characters")
    if config.faceprinter != SIM and config.bank_name == DEMO_BANK:
        raise ConfigError(f"cardface.bank_name: a real face printer ({config.faceprinter}) prints real cards: "
                          f"name the partner bank whose blank cards are loaded")
    try:
        check_bank_mark(config.bank_mark)
    except BankMarkError as exc:
        raise ConfigError(f"cardface.bank_mark: {exc}") from None
