"""The simulator panel (simulated mode only): a tester's hands for devices that have none."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.scrollview import ScrollView

from kiosk import digits

# what the simulated camera can be made to show (kiosk.hw.camera.simulated.SHOWS), as the panel names it
CAMERA_SHOWS = (("holder", "本人"), ("other", "他人"), ("photo", "照片"), ("nobody", "无人"), ("two", "两人"))
CAMERA_WORDS = dict(CAMERA_SHOWS)


class SimPanel(ScrollView):
    active = BooleanProperty(False)
    hands = ObjectProperty(None, allownone=True)
    status_text = StringProperty("")
    sms_text = StringProperty("无")     # the last text message the service sent: the citizen's phone screen
    last_action = ""

    def attach(self, hands) -> None:
        self.hands = hands
        self.active = hands is not None
        if hands is None:
            return
        for citizen in hands.citizens():
            button = Factory.SimButton(text=f"{citizen.name} · {citizen.note}")
            button.citizen = citizen.key
            button.bind(on_release=lambda b: self.place_id_card(b.citizen))
            self.ids.id_cards.add_widget(button)
            if citizen.card_state:
                button = Factory.SimButton(text=f"{citizen.name} · {citizen.note} · 密码{citizen.pin}")
                button.citizen = citizen.key
                button.bind(on_release=lambda b: self.insert_card(b.citizen))
                self.ids.ss_cards.add_widget(button)
                if hands.issuer_sim is not None:
                    button = Factory.SimButton(text=f"{citizen.name}的卡 · {citizen.note}")
                    button.citizen = citizen.key
                    button.bind(on_release=lambda b: self.insert_old_card(b.citizen))
                    self.ids.gate_cards.add_widget(button)
        key, name, pin = hands.staff_member()      # the demo hall's staff member: their ID card opens staff mode
        button = Factory.SimButton(text=f"{name} · 工作人员 · 密码{pin}")
        button.citizen = key
        button.bind(on_release=lambda b: self.place_id_card(b.citizen))
        self.ids.id_cards.add_widget(button)
        if getattr(hands, "camera", None) is not None:
            for what, words in CAMERA_SHOWS:
                button = Factory.SimButton(text=words)
                button.halign, button.shows = "center", what
                button.bind(on_release=lambda b: self.show_at_camera(b.shows))
                self.ids.camera_shows.add_widget(button)
        Clock.schedule_interval(lambda _dt: self.refresh(), 0.5)

    def show_at_camera(self, what: str) -> None:
        """Who stands in front of the simulated camera: the ID card's holder, someone else, a printed photo
        of the holder held up, nobody, or two people."""
        self.hands.show_at_camera(what)
        self.refresh()

    def place_id_card(self, key: str) -> None:
        self.hands.place_id_card(key)
        self.refresh()

    def remove_id_card(self) -> None:
        self.hands.remove_id_card()
        self.refresh()

    def insert_card(self, key: str) -> None:
        self.hands.insert_card(key)   # a VpcdBridge connect is a local socket: quick enough for the UI
        self.refresh()

    def remove_card(self) -> None:
        self.hands.remove_card()
        self.refresh()

    def insert_old_card(self, key: str) -> None:
        self.last_action = "原卡已插入入卡口" if self.hands.insert_old_card(key) else "入卡口未打开，卡片插不进去"
        self.refresh()

    def pay_shown_qr(self) -> None:
        """The citizen's phone: scan the fee QR on screen and pay (off the UI thread: a signed HTTP call)."""
        import threading
        from kivy.app import App
        screen = App.get_running_app().sm.current_screen
        payload = getattr(screen, "payload", "")
        if not payload.startswith("sbkpay://"):
            self.last_action = "屏幕上没有缴费二维码"
            self.refresh()
            return

        def work():
            try:
                self.hands.pay(payload)
                self.last_action = "已支付"
            except Exception as exc:      # a tester's tool: show why, never crash the kiosk
                self.last_action = f"支付失败：{getattr(exc, 'zh', exc)}"
            Clock.schedule_once(lambda _dt: self.refresh())
        threading.Thread(target=work, name="sim-pay", daemon=True).start()

    def take_issued_card(self) -> None:
        if self.hands.issuer_sim is not None:
            self.hands.issuer_sim.take_card()
        self.refresh()

    def refresh(self) -> None:
        h = self.hands
        message = h.last_sms()
        # the code is shown here as the citizen's phone would show it (a tester's tool; never logged)
        self.sms_text = f"发往 {digits.grouped(message.phone, 11)}：\n{message.text}" if message else "无"
        id_card = h.idreader_sim.card if h.idreader_sim else None
        slot = h.card_slot.card if h.card_slot else None
        jobs = len(h.printer_sim.jobs) if h.printer_sim else 0
        sim = h.issuer_sim
        issuer = f"空白卡 {sim.hopper} 张，回收箱 {sim.bin_count} 张，出卡口{'有卡' if sim.position == 'gate' else '无卡'}" \
            if sim else "无"
        camera = getattr(h, "camera", None)
        shows = f"摄像头前：{CAMERA_WORDS.get(camera.showing, camera.showing)}\n" if camera is not None else ""
        self.status_text = (f"身份证：{id_card.name if id_card else '无'}\n{shows}"
                            f"社保卡：{slot.holder if slot else '无'}\n"
                            f"已打印凭条：{jobs} 张\n制卡模块：{issuer}\n{self.last_action}")
