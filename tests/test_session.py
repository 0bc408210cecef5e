"""The Session without a screen: every way a visit ends wipes what it holds and resets the kiosk for the next
person once; the countdown warns with time to react and can be extended; a card in the machine holds it."""
import pytest

from kiosk.session import EXTENSIONS, WARN_S, Session


class Visit:
    def __init__(self, card_inside=lambda: False):
        self.ended: list[str] = []
        self.session = Session(card_inside=card_inside, on_end=self.ended.append)
        self.wiped: list[str] = []


def run_idle(session, limit, seconds, resting=False):
    return [session.tick(limit, resting) for _ in range(seconds)]


@pytest.mark.parametrize("reason", ["done", "cancel", "give_up", "timeout", "device_fault", "exception"])
def test_every_way_a_session_ends_wipes_everything_and_resets_once(reason):
    visit = Visit()
    s = visit.session
    s.begin()
    s.holds(lambda: visit.wiped.append("flow"))
    s.holds(lambda: visit.wiped.append("pin"))
    s.end(reason)
    assert sorted(visit.wiped) == ["flow", "pin"] and visit.ended == [reason]
    assert not s.active
    s.end("done")                      # a second end has nothing left to wipe
    assert sorted(visit.wiped) == ["flow", "pin"]


def test_a_failing_wipe_does_not_keep_the_others_from_running():
    visit = Visit()
    visit.session.begin()
    visit.session.holds(lambda: visit.wiped.append("pin"))
    visit.session.holds(lambda: 1 / 0)
    visit.session.end("exception")
    assert visit.wiped == ["pin"] and visit.ended == ["exception"]


def test_the_countdown_warns_with_at_least_twenty_seconds_to_react_and_then_expires():
    s = Visit().session
    s.begin()
    ticks = run_idle(s, 90, 90)
    first_warning = next(i for i, t in enumerate(ticks) if t.warning)
    assert ticks[first_warning].remaining == WARN_S >= 20
    assert not any(t.expired for t in ticks[:-1]) and ticks[-1].expired


def test_more_time_starts_the_timer_again_a_few_times_only():
    s = Visit().session
    s.begin()
    for _ in range(EXTENSIONS):
        run_idle(s, 60, 50)
        assert s.may_extend and s.more_time()
        assert s.tick(60, False).remaining == 59
    assert not s.may_extend and not s.more_time()


def test_a_card_in_the_machine_holds_the_session_and_the_timer_resumes_after():
    inside = [True]
    s = Visit(card_inside=lambda: inside[0]).session
    s.begin()
    assert not any(t.expired or t.warning for t in run_idle(s, 10, 100))
    inside[0] = False
    assert run_idle(s, 10, 10)[-1].expired


def test_a_card_state_that_cannot_be_read_holds_rather_than_wipes():
    def broken():
        raise OSError("module unplugged")
    s = Visit(card_inside=broken).session
    s.begin()
    assert not any(t.expired for t in run_idle(s, 5, 20))


def test_resting_screens_and_no_session_never_time_out():
    s = Visit().session
    assert not any(t.expired for t in run_idle(s, 5, 20))           # nobody at the kiosk
    s.begin()
    assert not any(t.expired for t in run_idle(s, 5, 20, resting=True))
