"""Refusals (a rule said no) and faults (something failed) are two families, caught apart (issue 12)."""
import pathlib
import re

import pytest

from kiosk.backend.client import ServiceError, ServiceRefused
from kiosk.errors import Action, Fault, KioskError, Refusal
from kiosk.flows.contact import ContactInvalid
from kiosk.flows.pin_rules import PinRuleBroken, rule_error
from kiosk.flows.representation import MayNotAct
from kiosk.flows.reset_pin import UseUnlockInstead
from kiosk.hw.base import DeviceError, DeviceOffline
from kiosk.security.module import SecurityModuleError, missing

ROOT = pathlib.Path(__file__).resolve().parents[1]
HW_IMPORT = re.compile(r"^\s*(from\s+kiosk\.hw\b|import\s+kiosk\.hw\b|from\s+kiosk\s+import\s+.*\bhw\b)", re.M)


@pytest.mark.parametrize("package", ["backend", "security"])
def test_backend_and_security_import_nothing_from_the_drivers(package):
    offenders = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "kiosk" / package).rglob("*.py"))
                 if HW_IMPORT.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_a_broken_pin_rule_is_not_a_device_error():
    with pytest.raises(PinRuleBroken):       # escapes the fault handler: a rule is not a failure
        try:
            raise rule_error("all_same")
        except DeviceError:
            pytest.fail("a PIN rule was caught as a device fault")


def test_a_device_fault_is_not_a_refusal():
    with pytest.raises(DeviceOffline):
        try:
            raise DeviceOffline("port gone", zh="设备离线", en="Device offline")
        except Refusal:
            pytest.fail("a device fault was caught as a refusal")


@pytest.mark.parametrize("refusal", [
    rule_error("mismatch"),
    MayNotAct("agents may not", zh="代办人不能办理", en="An agent may not"),
    ContactInvalid("phone", zh="手机号码应为11位数字", en="11 digits"),
    ServiceRefused(404, "person_unknown", "查无此人", "No such person"),
])
def test_every_refusal_carries_words_and_a_code_and_no_fault_action(refusal):
    assert isinstance(refusal, Refusal) and isinstance(refusal, KioskError)
    assert not isinstance(refusal, Fault)
    assert refusal.message("zh") and refusal.message("en") and refusal.code
    assert not hasattr(refusal, "action")


def test_a_refusal_names_its_next_step():
    assert UseUnlockInstead("locked", zh="请办理解锁", en="Use unlock").offer == "unlock"
    assert Refusal("x", zh="请到窗口办理", en="Go to a counter", counter=True).counter
    plain = rule_error("initial")
    assert plain.offer is None and not plain.counter and plain.code == "initial"
    assert MayNotAct("agents may not", zh="不能代办", en="No").code == "may_not_act"


def test_service_faults_and_security_faults_are_device_errors_with_an_action():
    for fault in (ServiceError("down", zh="连不上", en="down"), missing()):
        assert isinstance(fault, DeviceError) and not isinstance(fault, Refusal)
        assert isinstance(fault.action, Action)
    assert isinstance(missing(), SecurityModuleError)


def test_a_service_refusal_keeps_status_code_and_definite_for_recovery():
    refused = ServiceRefused(409, "not_issuing", "不在制卡中", "Not issuing")
    assert (refused.status, refused.code, refused.definite) == (409, "not_issuing", True)
    assert not ServiceRefused(429, "too_many", "请稍后再试", "Later").definite    # may pass: retried later
    assert not ServiceRefused(401, "stale_timestamp", "认证失败", "Auth").definite   # the kiosk's clock: may pass
    assert ServiceRefused(403, "power_of_attorney_required", "须委托书", "Needs POA").definite   # a rule: final
