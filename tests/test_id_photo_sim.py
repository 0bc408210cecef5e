"""The demo ID cards carry a simulated photo block naming a real person; the simulated decoder turns it into
that person's 102 × 126 ID photo (made from a real photograph), read over the wire by the real GA 467 driver.
Anything else — an empty block, a real card's WLT — it refuses to decode rather than return a wrong face."""
import datetime as dt
import os

import pytest

from kiosk.config import Config
from kiosk.faces import engine, samples
from kiosk.hw.idreader.driver import IdReader
from kiosk.hw.idreader.photo import (PhotoConfig, PhotoUnavailable, SimulatedPhotoDecoder, simulated_person,
                                     simulated_wlt)
from kiosk.hw.idreader.samples import SAMPLES, foreign_2017, resident
from kiosk.hw.idreader.simulator import IdReaderSimulator
from kiosk.ports import PhotoDecoderPort
from kiosk.simulated import ID_PHOTO_PERSON, SimulatorHands, id_card_of
from kiosk.wiring import build_devices

SAME_PERSON = 0.6


@pytest.fixture(scope="module")
def eng():
    assert samples.available(), f"sample faces missing: run {samples.FETCH_HINT}"
    return engine.shared()


def descriptor(eng, image, upsample=0):
    faces = eng.find(image, upsample=upsample)
    assert len(faces) == 1
    return eng.encode(image, faces[0])


def test_the_simulated_photo_block_is_1024_bytes_naming_the_person():
    block = simulated_wlt("obama")
    assert len(block) == 1024 and block.startswith(b"SIMWLT1\0obama\0") and block.endswith(b"\0" * 900)
    assert simulated_person(block) == "obama"
    assert simulated_person(b"\0" * 1024) is None
    assert simulated_person(os.urandom(1024)) is None
    assert simulated_person(block[:1000]) is None                      # a block is 1024 bytes or nothing
    with pytest.raises(ValueError):
        simulated_wlt("")


def test_the_decoder_gives_the_persons_id_photo_which_matches_them_live(eng):
    decoder = SimulatedPhotoDecoder()
    assert isinstance(decoder, PhotoDecoderPort) and decoder.installed
    photo = decoder.decode(simulated_wlt("obama"))
    assert photo.size == (102, 126) and photo.mode == "RGB"
    on_card = descriptor(eng, photo, upsample=1)
    live = samples.scene("obama3.jpg", face_width=0.28)                # another photograph of the same man
    assert engine.distance(on_card, descriptor(eng, live)) < SAME_PERSON
    hopper = descriptor(eng, decoder.decode(simulated_wlt("hopper")), upsample=1)
    assert engine.distance(on_card, hopper) > SAME_PERSON


@pytest.mark.parametrize("block", [b"\0" * 1024, b"WLT" + bytes(range(256)) * 4, simulated_wlt("nixon")],
                         ids=["empty", "real-looking WLT", "unknown person"])
def test_anything_but_a_demo_cards_block_is_not_decoded(block):
    with pytest.raises(PhotoUnavailable) as caught:
        SimulatedPhotoDecoder().decode(block[:1024])
    assert caught.value.zh == "身份证照片无法读取"


def test_without_the_sample_photographs_the_decoder_says_how_to_fetch_them(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_SAMPLE_FACES", str(tmp_path))
    with pytest.raises(PhotoUnavailable) as caught:
        SimulatedPhotoDecoder().decode(simulated_wlt("obama"))
    assert "fetch_sample_faces.py" in caught.value.detail


def test_the_photo_block_travels_over_the_wire_to_the_decoder(eng):
    sim = IdReaderSimulator()
    reader = IdReader(sim.port)
    try:
        sim.place(resident())
        card = reader.read_card(today=dt.date(2026, 1, 1))
    finally:
        reader.close()
        sim.close()
    assert simulated_person(card.photo_wlt) == "obama"
    assert SimulatedPhotoDecoder().decode(card.photo_wlt).size == (102, 126)


def test_which_demo_cards_carry_whom():
    assert {key: simulated_person(make().photo_wlt) for key, make in SAMPLES.items()} == \
        {"resident": "obama", "foreign_2017": None, "foreign_2023": "collins", "hk_mo_tw": "biden"}
    assert foreign_2017().photo_wlt == b""
    hands = SimulatorHands(IdReaderSimulator())
    try:
        assert hands.holder_person() is None
        hands.place_id_card("normal")
        assert hands.holder_person() == "obama" == ID_PHOTO_PERSON["normal"]
        hands.place_id_card("child")                 # every demo citizen can stand at the camera (and blink)
        assert hands.holder_person() == "biden" and id_card_of("child").photo_wlt
    finally:
        hands.idreader_sim.close()
    assert set(ID_PHOTO_PERSON.values()) <= set(samples.PERSONS)


def test_the_simulated_kiosk_decodes_its_demo_cards_and_a_vendor_library_wins(tmp_path):
    wiring = build_devices(Config(state_dir=str(tmp_path / "a"), issuer_timing=0))
    try:
        assert isinstance(wiring.devices.photo, SimulatedPhotoDecoder)
    finally:
        wiring.close()
    library = PhotoConfig(library=str(tmp_path / "libwlt.so"), function="unpack")   # configured (absent here)
    wiring = build_devices(Config(state_dir=str(tmp_path / "b"), issuer_timing=0, idreader_photo=library))
    try:
        assert not isinstance(wiring.devices.photo, SimulatedPhotoDecoder)
        assert "libwlt.so" in wiring.devices.photo.status
    finally:
        wiring.close()
