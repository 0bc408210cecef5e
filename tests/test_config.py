import pytest

from kiosk.config import ConfigError, load


def write(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_no_file_is_the_embedded_simulated_default():
    config = load(None)
    assert config.simulated and config.service_url == "embedded" and config.policy == "shaanxi"


def test_a_file_switches_devices_and_service(tmp_path):
    config = load(write(tmp_path, '''
kiosk_id = "XA-YT-0001"
policy = "henan"
[idreader]
port = "/dev/serial/by-id/usb-idreader"
[cardreader]
reader = "ACS ACR39U"
[printer]
transport = "net:192.0.2.10:9100"
[service]
url = "https://sbk.example.gov.cn"
[cardissuer]
port = "/dev/serial/by-id/usb-crt591"
reader = "CREATOR CRT-591"
[faceprinter]
kind = "evolis"
[cardface]
bank_name = "中国农业银行"
'''))
    assert (config.idreader_port, config.cardreader, config.printer, config.policy) == \
        ("/dev/serial/by-id/usb-idreader", "ACS ACR39U", "net:192.0.2.10:9100", "henan")
    assert not config.simulated


@pytest.mark.parametrize("text,words", [
    ('policy = "beijing"', "policy"),
    ('kiosk_id = "has space"', "kiosk_id"),
    ('[printer]\ntransport = "lpt:1"', "kind must be"),
    ('[ui]\nsession_timeout_s = 5', "session_timeout_s"),
    ('[ui]\nfullscreen = "yes"', "ui.fullscreen"),
    ('[service]\nurl = "ftp://x"', "service.url"),
    ('colour = "blue"', "unknown config keys: colour"),
    ('[idreader]\nbaud = 9600', "idreader.baud"),
    ('kiosk_id = ', "not valid TOML"),
    ('[voice]\nenabled = "no"', "voice.enabled: expected bool"),
    ('[voice]\nrate = 40', "voice.rate 40: between 80 and 300"),
    ('[voice]\nrate = 140.0', "voice.rate: expected int"),
    ('[voice]\nplayer = "paplay"', "voice.player 'paplay'"),
    ('[voice]\nvoice = "-x"', "voice.voice"),
    ('[voice]\nvolume = 5', "unknown config keys: voice.volume"),
    ('voice = "cmn"', "must be a table"),
    ('[camera]\ndevice = "webcam"', "camera.device 'webcam': sim, none or a V4L2 camera"),
    ('[camera]\ndevice = 0', "camera.device: expected str"),
    ('[camera]\nresolution = "hd"', "camera.resolution 'hd': WIDTHxHEIGHT"),
    ('[faceprinter]\nkind = "cups"', "faceprinter.kind 'cups'"),
])
def test_bad_values_name_the_key(tmp_path, text, words):
    with pytest.raises(ConfigError, match=words):
        load(write(tmp_path, text))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load(str(tmp_path / "nope.toml"))


def test_voice_table(tmp_path):
    assert load(None).voice.enabled and load(None).voice.rate == 140 and load(None).voice.player == "aplay"
    voice = load(write(tmp_path, '[voice]\nenabled = false\nrate = 110\nplayer = "aplay:plughw:1,0"\n'
                                 'voice = "cmn"\n')).voice
    assert (voice.enabled, voice.rate, voice.player, voice.voice) == (False, 110, "aplay:plughw:1,0", "cmn")
    assert load(write(tmp_path, '[voice]\nplayer = "none"')).voice.player == "none"


def test_camera_table(tmp_path):
    assert load(None).camera == "sim"
    assert load(write(tmp_path, '[camera]\ndevice = "none"')).camera == "none"
