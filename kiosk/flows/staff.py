"""Staff mode at the kiosk (工作人员模式), as a journey like a citizen's: entered from the home screen by a
hidden gesture (five taps on the title bar), then the staff member's own ID card and staff PIN, checked by
the service (kiosk/backend/staff.py: staff are registered there, never in the kiosk). Three wrong PINs end
the attempt; the service locks a staff member out after five in a row at any kiosk.

Then a menu: every device's status and counts; refill the hopper and empty the reject bin (the module's
exchange procedure: busy for the kiosk while open, counts reset and reported); paper replaced; clear a jam
(initialise, capturing what is inside); a test receipt and a test face print; the journal's unsettled
transactions, settled by hand; pause and resume service. Every action is journalled and sent to the service
as an audit event with the session the sign-in opened (kiosk/flows/staff_audit.py). Staff mode runs in a
session like a citizen's, so it times out the same way, and its ``finally`` wipes the staff member's ID card.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading

from kiosk import masking
from kiosk.backend.client import ServiceRefused
from kiosk.flows import staff_audit
from kiosk.flows.base import DEVICE_NAMES, Devices
from kiosk.flows.steps import Choose, EnterDigits, Message, Option, PlaceIdCard, Work
from kiosk.hw.idreader.idcard import IdCard
from kiosk.i18n import _
from kiosk.journal import new_txn_id
from kiosk.pause import ServicePause
from kiosk.pin import PinBuffer

PIN_TRIES = 3                      # at this kiosk, per visit; the service counts across kiosks
REFILL_COUNTS = (200, 100, 50)     # a CRT-591 hopper holds 200 blank cards
BACK = "back"
SETTLED_BY_STAFF = "settled_by_staff"
log = logging.getLogger(__name__)


class StaffMode:
    def __init__(self, devices: Devices, pause: ServicePause):
        self.devices, self.pause = devices, pause
        self.session: dict | None = None

    # -- signing in ------------------------------------------------------------------------------------------
    def check_devices(self) -> None:
        self.devices.require("idreader", "service")

    def wait_for_id_card(self, timeout: float, cancelled: threading.Event) -> IdCard | None:
        return self.devices.idreader.wait_for_card(timeout, cancelled)

    @property
    def who(self) -> str:
        return f"{masking.name(self.session['name'])}（{self.session['staff_no']}）" if self.session else ""

    def audit(self, action: str, detail: str | None = None, count: int | None = None) -> None:
        staff_audit.record(self.devices, self.session, action, detail, count)

    # -- what staff see and do -----------------------------------------------------------------------------
    def device_report(self) -> str:
        """One line per device: its name, state, what it holds; the module's counts."""
        lines = []
        for name in ("idreader", "cardreader", "printer", "cardissuer", "issuer_reader", "faceprinter", "camera",
                     "service"):
            label = DEVICE_NAMES.get(name, ("业务服务", "card service"))[0]
            try:
                status = self.devices.status(name)
            except Exception as exc:         # a status question that fails is itself the answer
                lines.append(f"{label}：无法查询（{type(exc).__name__}）")
                continue
            media = "，".join(f"{k}={v}" for k, v in status.media.items())
            lines.append(f"{label}：{status.state.value}" + (f"（{media}）" if media else ""))
        issuer = self.devices.cardissuer
        if issuer is not None and hasattr(issuer, "counts"):
            c = issuer.counts
            lines.append(f"制卡模块计数：上次补卡{c['loaded']}张，已出卡{c['since_refill']}张，"
                         f"废卡箱{c['reject_count']}张，累计发卡{c['issued']}张")
        self.audit("device_status_viewed")
        return "\n".join(lines)

    def open_module(self) -> None:
        self.devices.require("cardissuer")
        self.devices.cardissuer.start_exchange()

    def close_module(self, bin_emptied: bool, loaded: int | None = None) -> tuple[dict, dict]:
        """Counts before and after; the audit event carries what was loaded or emptied."""
        before = self.devices.cardissuer.end_exchange(bin_emptied, loaded)
        after = dict(self.devices.cardissuer.counts)
        if loaded is not None:
            self.audit("hopper_refilled", count=loaded)
        if bin_emptied:
            self.audit("bin_emptied", count=before["reject_count"])
        return before, after

    def hopper_state(self) -> str:
        return str(self.devices.cardissuer.status().media.get("hopper", "?"))

    def paper_replaced(self) -> str:
        status = self.devices.printer.status()
        paper = str(status.media.get("paper", "?"))
        self.audit("paper_replaced", detail=paper if paper.isalpha() else None)
        return paper

    def clear_jam(self) -> str:
        self.devices.require("cardissuer")
        issuer = self.devices.cardissuer
        issuer.initialize()                   # a card stuck inside goes to the reject bin
        captured = bool(getattr(issuer, "leftover_captured", False))
        self.audit("jam_cleared", detail="card_captured" if captured else "nothing_inside")
        return "captured" if captured else "empty"

    def test_receipt(self) -> None:
        from kiosk.receipts import test_receipt
        self.devices.require("printer")
        self.devices.printer.print_receipt(test_receipt(kiosk_id=self.devices.kiosk_id,
                                                        txn=new_txn_id(self.devices.kiosk_id),
                                                        when=dt.datetime.now().astimezone()))
        self.audit("test_receipt")

    def test_face_print(self) -> None:
        from kiosk.hw.cardissuer import face
        self.devices.require("faceprinter")
        data = face.FaceData("测试样卡", "000000********0000", "TEST", dt.date.today())
        self.devices.faceprinter.print_face(face.render(data, None, self.devices.branding()))
        self.audit("test_face_print")

    def unsettled(self) -> list[dict]:
        return [t for t in self.devices.journal.unfinished() if t["kind"] != staff_audit.KIND]

    def settle(self, txn: dict) -> None:
        """Staff have dealt with it by hand (a card returned, a fee refunded at the counter): closed in the
        journal with who did it, so no recovery runs it again, and audited."""
        self.devices.journal.step(txn["txn"], SETTLED_BY_STAFF, staff_no=self.session["staff_no"])
        self.devices.journal.finish(txn["txn"], SETTLED_BY_STAFF)
        self.audit("transaction_settled", detail=txn["kind"] if txn["kind"].replace("_", "").isalpha() else None)

    def set_paused(self, paused: bool) -> None:
        if paused:
            self.pause.pause(self.session["staff_no"])
            self.audit("service_paused")
        else:
            self.pause.resume()
            self.audit("service_resumed")

    def later(self, what: str, work) -> None:
        """Work owed when the session ends under staff mode (a timeout, 返回首页): the journey's ``finally``
        runs on the UI thread, which must not wait for a device or the service, so a thread does it."""
        def run():
            try:
                work()
            except Exception:
                log.exception("staff mode: %s after the session ended failed", what)
        threading.Thread(target=run, name=f"staff-{what}", daemon=True).start()

    def wipe(self) -> None:
        self.session = None


def journey(devices: Devices, pause: ServicePause):
    mode = StaffMode(devices, pause)
    signed_out = False
    try:
        yield Work(_("正在检查设备"), mode.check_devices)
        mode.session = yield from signed_in(devices, _("工作人员登录：请放置本人身份证"),
                                            _("工作人员模式仅限登记在册的工作人员使用"), mode.wait_for_id_card)
        while True:
            choice = yield Choose(_("工作人员模式"), _("{who}，请选择操作", who=mode.who), menu(mode))
            if choice == "leave":
                yield Work(_("正在退出工作人员模式"), lambda: mode.audit("signed_out"))
                signed_out = True
                yield Message(_("已退出工作人员模式"), _("请取走您的身份证。"), tone="good", last=True)
                return
            yield from ACTIONS[choice](mode)
    finally:
        if mode.session is not None and not signed_out:       # timed out, or 返回首页: still signed out
            session = mode.session
            mode.later("sign-out", lambda: staff_audit.record(devices, session, "signed_out", detail="session_ended"))
        mode.wipe()


def signed_in(devices: Devices, title, hint, wait):
    """The steps of a staff sign-in, here and at a failed face check: the staff member's own ID card (``wait``
    reads it; only its number is kept, the card's data wiped at once), their staff PIN, the service's check,
    PIN_TRIES times. Returns the session ({"session", "staff_no", "name", "expires_at"})."""
    read: dict = {}

    def card(timeout: float, cancelled: threading.Event):
        found = wait(timeout, cancelled)
        if found is not None:
            read["id_number"] = found.id_number
            found.wipe()
        return found

    def check(pin: PinBuffer) -> dict:
        try:
            return devices.service.staff_sign_in(read["id_number"], pin)
        finally:
            pin.clear()

    yield PlaceIdCard(title, hint, card)
    error = ""
    for attempt in range(1, PIN_TRIES + 1):
        pin = PinBuffer()
        yield EnterDigits("pin_old", _("请输入工作人员密码"), _("6位数字"), pin, error)
        try:
            return (yield Work(_("正在核验工作人员身份"), lambda: check(pin)))
        except ServiceRefused as refused:
            if refused.code != "staff_not_recognised" or attempt == PIN_TRIES:
                raise
            error = _("工作人员身份或密码不正确，请重新输入")
    raise AssertionError("unreachable")


def menu(mode: StaffMode) -> list[Option]:
    options = [Option("status", _("设备状态")), Option("refill", _("补充空白卡")), Option("empty_bin", _("清空废卡箱")),
               Option("paper", _("已更换凭条纸")), Option("jam", _("清除卡堵")), Option("tests", _("设备测试")),
               Option("unsettled", _("未完成交易")),
               Option("resume", _("恢复服务")) if mode.pause.paused else Option("pause", _("暂停服务")),
               Option("leave", _("退出工作人员模式"))]
    return options


def _status(mode: StaffMode):
    report = yield Work(_("正在查询设备状态"), mode.device_report)
    yield Message(_("设备状态"), report, primary=(BACK, _("返回")))


def _refill(mode: StaffMode):
    yield Work(_("正在打开制卡模块"), mode.open_module)
    done = False
    try:
        answer = yield Message(_("补充空白卡"), _("请打开卡箱，放入空白卡，关好卡箱后选择放入的数量。"),
                               primary=("loaded", _("已放好")), secondary=(BACK, _("取消")))
        if answer == "loaded":
            options = [Option(str(n), _("{n}张", n=n)) for n in REFILL_COUNTS] + [Option(BACK, _("取消"))]
            count = yield Choose(_("放入了多少张空白卡？"), _("卡箱装满为200张"), options)
            if count != BACK:
                before, after = yield Work(_("正在关闭制卡模块"), lambda: mode.close_module(False, int(count)))
                done = True
                hopper = yield Work(_("正在查询卡箱"), mode.hopper_state)
                said = (_("放入{n}张，出卡计数已清零（补卡前已出卡{since}张）。卡箱状态正常。", n=after["loaded"],
                          since=before["since_refill"]) if hopper == "ok" else
                        _("放入{n}张，出卡计数已清零（补卡前已出卡{since}张）。但卡箱仍显示卡少或无卡，请检查卡片是否放好。",
                          n=after["loaded"], since=before["since_refill"]))
                yield Message(_("空白卡已补充"), said, tone="good" if hopper == "ok" else "bad",
                              primary=(BACK, _("返回")))
        if not done:
            yield Work(_("正在关闭制卡模块"), lambda: mode.close_module(False))
            done = True
    finally:
        if not done:                      # the session ended meanwhile: the module goes back into use
            mode.later("close-module", lambda: mode.devices.cardissuer.end_exchange(False))


def _empty_bin(mode: StaffMode):
    yield Work(_("正在打开制卡模块"), mode.open_module)
    done = False
    try:
        answer = yield Message(_("清空废卡箱"), _("请取出废卡箱中的全部卡片，放回废卡箱后点击“已清空”。废卡请按规定登记销毁。"),
                               primary=("emptied", _("已清空")), secondary=(BACK, _("取消")))
        if answer == "emptied":
            before, _after = yield Work(_("正在关闭制卡模块"), lambda: mode.close_module(True))
            done = True
            yield Message(_("废卡箱已清空"), _("取出{n}张废卡，废卡计数已清零。", n=before["reject_count"]), tone="good",
                          primary=(BACK, _("返回")))
        else:
            yield Work(_("正在关闭制卡模块"), lambda: mode.close_module(False))
            done = True
    finally:
        if not done:
            mode.later("close-module", lambda: mode.devices.cardissuer.end_exchange(False))


def _paper(mode: StaffMode):
    paper = yield Work(_("正在查询打印机"), mode.paper_replaced)
    if paper == "ok":
        yield Message(_("凭条纸已更换"), _("打印机纸张正常。"), tone="good", primary=(BACK, _("返回")))
    else:
        yield Message(_("打印机仍未就绪"), _("打印机报告纸张状态：{paper}。请检查纸卷是否装好、盖子是否关紧。", paper=paper),
                      tone="bad", primary=(BACK, _("返回")))


def _jam(mode: StaffMode):
    outcome = yield Work(_("正在复位制卡模块"), mode.clear_jam)
    body = (_("模块内的卡片已收入废卡箱，模块已复位。") if outcome == "captured" else _("模块内没有卡片，模块已复位。"))
    yield Message(_("卡堵已清除"), body, tone="good", primary=(BACK, _("返回")))


def _tests(mode: StaffMode):
    choice = yield Choose(_("设备测试"), _("请选择要测试的设备"),
                          [Option("receipt", _("打印测试凭条")), Option("face", _("打印测试卡面")), Option(BACK, _("返回"))])
    if choice == "receipt":
        yield Work(_("正在打印凭条"), mode.test_receipt)
        yield Message(_("测试凭条已打印"), _("请检查凭条上的文字和二维码是否清晰。"), tone="good", primary=(BACK, _("返回")))
    elif choice == "face":
        yield Work(_("正在打印测试卡面"), mode.test_face_print)
        yield Message(_("测试卡面已打印"), _("请检查卡面的文字和照片位置。"), tone="good", primary=(BACK, _("返回")))


def _unsettled(mode: StaffMode):
    while True:
        rows = mode.unsettled()
        if not rows:
            yield Message(_("未完成交易"), _("没有未完成的交易。"), tone="good", primary=(BACK, _("返回")))
            return
        options = [Option(str(i), f"{row['kind']} · {row['started_at'][:16].replace('T', ' ')}")
                   for i, row in enumerate(rows[:6])] + [Option(BACK, _("返回"))]
        choice = yield Choose(_("未完成交易"), _("共{n}笔。请选择一笔查看和处理。", n=len(rows)), options)
        if choice == BACK:
            return
        row = rows[int(choice)]
        answer = yield Message(_("交易 {txn}", txn=row["txn"]),
                               _("业务：{kind}\n开始：{at}\n最后一步：{step}\n确认已人工处理（如已退卡、已退费）后再标记。",
                                 kind=row["kind"], at=row["started_at"], step=row.get("last_step") or "-"),
                               primary=("settle", _("标记为已人工处理")), secondary=(BACK, _("返回")))
        if answer == "settle":
            yield Work(_("正在记录"), lambda: mode.settle(row))


def _pause(mode: StaffMode):
    yield Work(_("正在暂停服务"), lambda: mode.set_paused(True))
    yield Message(_("已暂停服务"), _("退出工作人员模式后，本机显示“暂停服务”，直到工作人员恢复服务。"), tone="good",
                  primary=(BACK, _("返回")))


def _resume(mode: StaffMode):
    yield Work(_("正在恢复服务"), lambda: mode.set_paused(False))
    yield Message(_("已恢复服务"), _("退出工作人员模式后，本机恢复为市民办理业务。"), tone="good", primary=(BACK, _("返回")))


ACTIONS = {"status": _status, "refill": _refill, "empty_bin": _empty_bin, "paper": _paper, "jam": _jam,
           "tests": _tests, "unsettled": _unsettled, "pause": _pause, "resume": _resume}
