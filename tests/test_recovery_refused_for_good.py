"""A PIN change is journalled and the card answered, then the kiosk dies before telling the service; while it
is down the card is cancelled at a counter. The kiosk restarts twice: the first start hears the service's
definite "card cancelled", closes the transaction with that outcome and owes staff a notice; the second
start sends nothing about it again."""
from kiosk import demo
from kiosk.backend.client import ServiceClient
from kiosk.backend.server import ServiceThread
from kiosk.config import Config
from kiosk.flows import change_pin
from kiosk.journal import Journal
from kiosk.policy import profile
from kiosk.runtime import Kiosk, load_or_make_key, save_public
from tests.answer_dropper import AnswerDropper


def test_a_pin_change_for_a_card_cancelled_meanwhile_is_closed_once_and_never_sent_again(tmp_path):
    state = tmp_path / "kiosk"
    state.mkdir()
    service = ServiceThread(str(tmp_path / "svc.db"), profile("shaanxi")).start()
    relay = AnswerDropper(service.url, drop=lambda _line: False)
    card = demo.by_key("normal").card_number
    try:
        key = load_or_make_key(str(state / "kiosk-key.pem"))
        save_public(str(state / "service-key.pem"),
                    ServiceClient(service.url, "RESTART-01", key=key).enrol(service.enrolment_code))
        journal = Journal(str(state / "journal.db"))
        journal.begin("RESTART-01-T1", change_pin.KIND, card_number=card, activating=False)
        journal.step("RESTART-01-T1", change_pin.STEPS.sent)
        journal.step("RESTART-01-T1", change_pin.STEPS.done)        # the card has the new PIN; power lost here
        journal.close()
        with service.store.transaction() as db:                     # meanwhile, at a counter
            service.store.set_card_state(db, card, "cancelled", "cancelled_at_counter", None)

        config = Config(state_dir=str(state), service_url=relay.url, kiosk_id="RESTART-01", issuer_timing=0)
        for start in (1, 2):
            sent_before = len([line for line in relay.seen if "/pin-events" in line])
            kiosk = Kiosk(config)
            try:
                sent = len([line for line in relay.seen if "/pin-events" in line]) - sent_before
                [row] = kiosk.devices.journal.transactions(change_pin.KIND)
                assert row["outcome"] == "service_refused"
                assert sent == (1 if start == 1 else 0), (start, relay.seen)
            finally:
                kiosk.close()
        assert [e["kind"] for e in service.store.staff_events("RESTART-01")] == ["pin_unreported"]
        assert "pin_changed" not in [e["kind"] for e in service.store.events(card)]
    finally:
        relay.close()
        service.stop()
