"""The partner bank's mark for the card face: checked when the configuration is read; not set or gone
missing, the face carries the bank's name in text and the log tells the technician."""
import datetime as dt
import logging

import pytest
from PIL import Image

from kiosk.config import DEMO_BANK, ConfigError, load
from kiosk.hw.cardissuer import face
from kiosk.hw.cardissuer.branding import branding, check_bank_mark


def write(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def cardface(tmp_path, mark_path: str, bank: str = "中国农业银行") -> str:
    return write(tmp_path, f'[cardface]\nbank_name = "{bank}"\nbank_mark = "{mark_path}"\n')


def png(tmp_path, size=(360, 120), name="mark.png", kind="PNG") -> str:
    path = tmp_path / name
    Image.new("RGBA" if kind == "PNG" else "RGB", size, (0, 122, 94)).save(path, kind)
    return str(path)


def test_a_readable_png_of_sane_size_is_taken(tmp_path):
    config = load(cardface(tmp_path, png(tmp_path)))
    assert (config.bank_name, config.bank_mark) == ("中国农业银行", str(tmp_path / "mark.png"))
    mark = check_bank_mark(config.bank_mark)
    assert mark.mode == "RGBA" and mark.size == (360, 120)


def test_the_simulator_names_no_real_bank_by_default():
    assert load(None).bank_name == DEMO_BANK and load(None).bank_mark == ""


@pytest.mark.parametrize("make, words", [
    (lambda tmp: png(tmp, name="mark.jpg", kind="JPEG", size=(360, 120)), "not a PNG file"),
    (lambda tmp: png(tmp, size=(20, 20)), "20×20 px; each side between 32 and 2000 px"),
    (lambda tmp: png(tmp, size=(3000, 100)), "3000×100 px"),
    (lambda tmp: (tmp / "cut.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40) and str(tmp / "cut.png"),
     "not a readable PNG"),
    (lambda tmp: str(tmp), "not readable"),                       # a directory, not a file
])
def test_a_mark_file_that_is_there_but_unusable_stops_start_up_naming_the_key(tmp_path, make, words):
    with pytest.raises(ConfigError, match=f"cardface.bank_mark: .*{words}"):
        load(cardface(tmp_path, make(tmp_path)))


def test_a_bank_mark_too_large_in_bytes_is_refused(tmp_path):
    path = tmp_path / "noise.png"
    Image.effect_noise((1500, 1500), 100).save(path, compress_level=0)      # 2.25 MB uncompressed
    with pytest.raises(ConfigError, match="at most 2000000 bytes"):
        load(cardface(tmp_path, str(path)))


@pytest.mark.parametrize("text, words", [
    ('[cardface]\nbank_name = ""', "cardface.bank_name '': the partner bank's name"),
    ('[cardface]\nbank_mark = 5', "cardface.bank_mark: expected str"),
    ('[cardface]\nbank_logo = "x.png"', "unknown config keys: cardface.bank_logo"),
    ('[faceprinter]\nkind = "cups:card"', "cardface.bank_name: a real face printer"),
])
def test_bad_card_face_values_name_the_key(tmp_path, text, words):
    with pytest.raises(ConfigError, match=words):
        load(write(tmp_path, text))


def test_a_missing_mark_is_the_banks_name_in_text_and_a_warning_for_the_technician(tmp_path, caplog):
    config = load(cardface(tmp_path, str(tmp_path / "not-copied-yet.png")))   # start-up goes on
    with caplog.at_level(logging.WARNING, logger="kiosk.hw.cardissuer.branding"):
        made = branding("陕西省人力资源和社会保障厅", config.bank_name, config.bank_mark)
    assert made.bank_mark is None and made.bank_name == "中国农业银行"
    assert any("not-copied-yet.png does not exist" in r.getMessage() and "中国农业银行" in r.getMessage()
               for r in caplog.records)
    data = face.FaceData("张三", "610113198504300072", "A00000012", dt.date.today())
    plate = face.render(data, branding=made).crop(face.BANK_MARK)
    assert (160, 20, 30) in {colour for _n, colour in plate.getcolors(1 << 20)}     # the name, in the bank's box


def test_a_mark_spoiled_after_start_up_falls_back_to_the_name_and_says_so(tmp_path, caplog):
    path = png(tmp_path)
    load(cardface(tmp_path, path))
    (tmp_path / "mark.png").write_bytes(b"not a png any more")
    with caplog.at_level(logging.WARNING, logger="kiosk.hw.cardissuer.branding"):
        made = branding("", "中国农业银行", path)
    assert made.bank_mark is None and any("not a PNG file" in r.getMessage() for r in caplog.records)


def test_the_kiosk_built_from_the_config_carries_the_regions_authority_and_the_bank(tmp_path):
    from kiosk.config import Config
    from kiosk.runtime import Kiosk
    kiosk = Kiosk(Config(state_dir=str(tmp_path / "state"), policy="henan", bank_name="中国农业银行",
                         bank_mark=png(tmp_path)))
    try:
        made = kiosk.devices.branding()
    finally:
        kiosk.close()
    assert made.authority == "河南省人力资源和社会保障厅" and made.hotline == "12333"
    assert made.bank_name == "中国农业银行" and made.bank_mark.size == (360, 120)
