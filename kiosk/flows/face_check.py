"""人证核验: is the person at the kiosk the person whose ID card was just read?

    yield from face_check.verify(devices, id_card, "reset_pin")

Before a service on the region's list (``policy.face_check_services``) the kiosk compares the face at the
camera with the ID card's photo and asks for a blink (a print held up does not blink): a found or stolen ID
card alone gets no card, PIN or unlock. Whoever stands there is checked — the holder, or, when someone acts
for the holder, the actor against the actor's own ID card (kiosk/flows/representation.py calls this with it).

Three attempts; each failed one says why in words ("未检测到眨眼", "与身份证照片不一致") and offers another.
After the third, staff are called with the reason and the citizen may wait for them: a staff member signs in
at this screen with their own ID card and staff PIN (checked by the service, as in staff mode), compares the
person with the ID card in person, and confirms — the override is journalled with the staff number and sent
as an audit event — or says it is not the same person. Otherwise the service is refused. The journal records
outcome and reason only: no score, frame or face data (README "Privacy"). A kiosk that cannot check (no camera, no ID photo decoder, no face engine) refuses these services
with the reason instead of serving them unchecked.
"""
from __future__ import annotations

import logging
import uuid

from kiosk.errors import Refusal
from kiosk.flows.base import Devices
from kiosk.flows.steps import CitizenLeft, LookAtCamera, Message, Work
from kiosk.hw.idreader.idcard import IdCard
from kiosk.i18n import _, join

log = logging.getLogger(__name__)

ATTEMPTS = 3
ATTEMPT_TIMEOUT_S = 20      # one attempt's camera time: guidance, the blink, the comparison
AGAIN, GIVE_UP, STAFF_CHECK = "face_again", "face_give_up", "face_staff_check"
SAME, NOT_SAME = "face_same_person", "face_not_same_person"
KIND = "face_check"


class FaceCheckFailed(Refusal):
    """The person at the camera was not confirmed as the ID card's person (three attempts)."""
    counter = True


class FaceCheckUnavailable(Refusal):
    """This kiosk cannot check faces now (no camera, no ID photo decoding, no face engine)."""
    counter = True


def required(devices: Devices, service: str) -> bool:
    return service in devices.policy.face_check_services


def _unavailable(detail: str) -> FaceCheckUnavailable:
    return FaceCheckUnavailable(detail, zh="本机暂时无法进行人脸核验，本业务须核验本人身份，请携带身份证到人工窗口办理",
                                en="This kiosk cannot check faces at the moment, and this service needs it; "
                                   "please go to a staffed counter")


def id_photo(devices: Devices, id_card: IdCard):
    """The ID card's photo as an image (the vendor's decoder, or the simulator's); FaceCheckUnavailable when it
    cannot be had — an ID card without a photo block, or no decoder installed."""
    from kiosk.faces import engine
    if devices.camera is None:
        raise _unavailable("no camera configured")
    decoder = devices.photo
    if decoder is None or not getattr(decoder, "installed", False):
        raise _unavailable(getattr(decoder, "status", "no ID photo decoder"))
    if not engine.shared().installed:
        raise _unavailable(engine.shared().status)
    if not id_card.photo_wlt:
        raise _unavailable("the ID card gave no photo block")
    return decoder.decode(id_card.photo_wlt)


def _look(devices: Devices, photo):
    """The camera step's work: one attempt (kiosk.faces.verify.check_person), on the worker."""
    def run(timeout_s: float, cancelled, on_frame):
        from kiosk.faces import engine, verify
        return verify.check_person(devices.camera, engine.shared(), photo, devices.policy.face_match_threshold,
                                   cancelled, on_frame, timeout_s)
    return run


def verify(devices: Devices, id_card: IdCard, service: str):
    """Steps until the person at the camera is ``id_card``'s person, live; refuses after ATTEMPTS failures.
    Nothing when the service needs no check, or this card read was checked already in this visit. The
    journal entry is finished however the steps end (a refusal, the citizen leaving, a device fault, the
    session closing the journey): no face check is left "unfinished" for the start-up recovery to find."""
    if not required(devices, service) or id_card.face_verified:
        return
    txn = f"face-{uuid.uuid4().hex[:12]}"
    devices.journal.begin(txn, KIND, service=service)
    outcome = "interrupted"
    try:
        outcome = yield from _attempts(devices, id_card, service, txn)
    except FaceCheckUnavailable:
        outcome = "unavailable"
        raise
    except FaceCheckFailed:
        outcome = "refused"
        raise
    except CitizenLeft as left:
        outcome = "given_up" if left.reason == "give_up" else "left"
        raise
    finally:
        devices.journal.finish(txn, outcome)


def _attempts(devices: Devices, id_card: IdCard, service: str, txn: str):
    """The ID photo, then up to ATTEMPTS camera steps; returns "passed" or raises."""
    try:
        photo = yield Work(_("正在读取身份证照片"), lambda: id_photo(devices, id_card))
    except FaceCheckUnavailable as exc:
        log.warning("face check for %s not possible: %s", service, exc.detail)
        raise
    try:
        for attempt in range(1, ATTEMPTS + 1):
            verdict = yield LookAtCamera(_("人脸核验"), _look(devices, photo), ATTEMPT_TIMEOUT_S)
            devices.journal.step(txn, "attempt", number=attempt, outcome="passed" if verdict.passed else verdict.reason)
            if verdict.passed:
                id_card.face_verified = True
                return "passed"
            if verdict.reason == "engine_missing":
                raise _unavailable("face engine missing")
            if verdict.reason == "cancelled":
                raise CitizenLeft("cancel")
            if attempt == ATTEMPTS:
                break
            left = ATTEMPTS - attempt
            answer = yield Message(_("人脸核验未通过"), join(verdict.words, "\n",
                                                           _("还可以再试 {n} 次。请摘下帽子和墨镜，正对摄像头。", n=left)),
                                   tone="warn", primary=(AGAIN, _("再试一次")), secondary=(GIVE_UP, _("不办了")))
            if answer == GIVE_UP:
                raise CitizenLeft("give_up")
        _call_staff(devices, service, verdict.reason)
        answer = yield Message(_("人脸核验未通过"), _("人脸核验 3 次未通过。已通知工作人员：工作人员到场后可当面核验您的身份，"
                                                    "为您继续办理；也可以携带身份证到人工窗口办理。"),
                               tone="warn", primary=(STAFF_CHECK, _("工作人员核验")), secondary=(GIVE_UP, _("不办了")))
        if answer == STAFF_CHECK and (yield from _staff_check(devices, id_card, txn)):
            id_card.face_verified = True
            return "staff_override"
        raise FaceCheckFailed(f"face check failed {ATTEMPTS} times ({verdict.reason})",
                              zh="人脸核验 3 次未通过，无法办理本业务。已通知工作人员，请稍候，或携带身份证到人工窗口办理",
                              en="The face check did not succeed 3 times, so this service cannot be done here. Staff "
                                 "have been called: please wait, or go to a staffed counter with your ID card")
    finally:
        photo = None             # the decoded ID photo goes with the steps (the card's own wipe drops the WLT)


def _staff_check(devices: Devices, id_card: IdCard, txn: str):
    """A staff member's override of the failed check: their own ID card (in place of the citizen's, whose
    data the journey already holds) and staff PIN, checked by the service; then their word, in person, that the
    person is the ID card's. True when they confirm it (journalled with their staff number and audited)."""
    from kiosk.flows import staff, staff_audit
    signed_in = yield from staff.signed_in(
        devices, _("工作人员核验：请取走市民的身份证，放置工作人员本人的身份证"), _("市民的身份证信息已读取，请交还市民保管"),
        lambda timeout, cancelled: _other_id_card(devices, id_card.id_number, timeout, cancelled))
    answer = yield Message(_("请当面核对"), _("请核对眼前的市民与其身份证照片是否为同一人，确认后继续办理。"),
                           primary=(SAME, _("确认是本人")), secondary=(NOT_SAME, _("不是本人")))
    same = answer == SAME
    devices.journal.step(txn, "staff_override" if same else "staff_refused_override", staff_no=signed_in["staff_no"])
    session = {k: signed_in[k] for k in ("session", "staff_no")}
    yield Work(_("正在记录"), lambda: staff_audit.record(devices, session, "face_override",
                                                         detail="confirmed" if same else "not_same_person"))
    return same


def _other_id_card(devices: Devices, citizen_id: str, timeout: float, cancelled):
    """The next ID card read that is not the citizen's (whose card may still lie on the reader)."""
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not cancelled.is_set():
        card = devices.idreader.wait_for_card(max(0.1, deadline - time.monotonic()), cancelled)
        if card is None:
            return None
        if card.id_number != citizen_id:
            return card
        card.wipe()
        cancelled.wait(0.3)
    return None


def verify_holder(devices: Devices, acting, id_card: IdCard, service: str):
    """verify() for the holder's ID card, when the holder acts; someone acting for the holder was checked
    against their own ID card when they placed it (kiosk/flows/representation.py: verify_actor)."""
    from kiosk.flows.representation import Role
    if acting.role is Role.HOLDER:
        yield from verify(devices, id_card, service)


def actor_service(service: str) -> str:
    """The key an actor is checked for when they place their ID card: a loss report's kind is chosen later,
    and the actor's card is not kept until then, so an actor reporting a loss is checked as for a formal one."""
    return "loss_formal" if service == "loss" else service


def _call_staff(devices: Devices, service: str, reason: str) -> None:
    try:
        devices.service.call_staff(screen=KIND, service=service, reason=reason)
    except Exception as exc:     # the refusal is said either way; the call is logged as not made
        log.warning("staff call after the face check not made: %s", getattr(exc, "detail", type(exc).__name__))
