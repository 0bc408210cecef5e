"""Demo citizens for the embedded default: one ID card, one social security card (or none) and one
service record each, in the card states a kiosk must show. All data is invented; ID numbers are built
with a correct GB 11643 check character so the kiosk's checks pass.

The demo PINs are printed in the simulator panel: they belong to virtual cards, not to people.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk import dates, idnumber
from kiosk.hw.cardreader.virtualcard import CardProfile
from kiosk.hw.idreader.idcard import IdCard, full_years, resident_validity_years


@dataclass(frozen=True)
class DemoCitizen:
    key: str
    name: str
    gender: str
    birth: dt.date
    id17: str
    address: str
    card_state: str | None        # service state of the card; None = no card
    card_number: str = ""
    pin: str = ""
    pin_tries_left: int = 6
    application: str | None = None  # a pending application's state, e.g. "producing"
    note: str = ""
    spec_version: str = "3.00"      # 3rd generation: SM4, holder data behind key 0A
    expires_in_days: int | None = None  # the card expires this many days after today (renewal demo); else 2031
    bank: str = "工商银行"           # the issuing bank, printed top left on the face (seeds/000: 工行 makes cards in Xi'an)
    photo: bool = True              # False: a child's card made without a photo (under 7, seeds/003)
    card_issued: dt.date | None = None  # the card's issue date when not the demo's 2021-06-01

    @property
    def generation(self) -> int:
        return int(self.spec_version.split(".")[0])

    @property
    def id_number(self) -> str:
        return idnumber.with_check(self.id17)

    def id_card(self) -> IdCard:
        # validity by the holder's age at issue (居民身份证法 art. 5: 5 years under 16, 10 to 25, 20 to 45,
        # then long-term), as the reader's check demands
        valid_from = dt.date(2024, 7, 1) if self.birth.year >= 2010 else dt.date(2020, 5, 1)
        years = resident_validity_years(full_years(self.birth, valid_from))
        valid_until = None if years is None else dates.add_years(valid_from, years)
        return IdCard("resident", name=self.name, sex=self.gender, nation="01", birth_date=self.birth,
                      address=self.address, id_number=self.id_number, issuer="西安市公安局雁塔分局",
                      valid_from=valid_from, valid_until=valid_until, long_term=years is None)

    def card_profile(self) -> CardProfile | None:
        if self.card_state is None:
            return None
        issue = self.card_issued or dt.date(2021, 6, 1)
        expiry = dates.add_years(issue, 10)
        if self.expires_in_days is not None:      # relative to today, so the renewal window is always open
            expiry = dt.date.today() + dt.timedelta(days=self.expires_in_days)
            issue = dates.add_years(expiry, -10)
        return CardProfile(card_id_code=f"610100D1560000059911{self.card_number[-4:]}",
                           card_number=self.card_number, ssn=self.id_number, name=self.name,
                           gender=self.gender, nation="01", birthplace="610113", birth_date=self.birth,
                           issue_date=issue, expiry_date=expiry, pin=self.pin,
                           pin_tries_left=self.pin_tries_left, spec_version=self.spec_version,
                           algorithm=0x03 if self.spec_version.startswith("3") else 0x01)


CITIZENS = (
    DemoCitizen("normal", "王小明", "1", dt.date(1956, 3, 8), "61011319560308001", "陕西省西安市雁塔区长安南路1号",
                "normal", "A00000001", "135790", note="正常"),
    DemoCitizen("sealed", "李秀兰", "2", dt.date(1961, 11, 2), "61010319611102002", "陕西省西安市碑林区南大街2号",
                "sealed", "A00000002", "666666", note="未启用"),
    DemoCitizen("temp_lost", "张建国", "1", dt.date(1948, 7, 21), "61010419480721003", "陕西省西安市莲湖区西大街3号",
                "temp_lost", "A00000003", "246813", note="临时挂失"),
    DemoCitizen("pin_locked", "赵桂芳", "2", dt.date(1952, 1, 15), "61011119520115004", "陕西省西安市灞桥区纺织城4号",
                "pin_locked", "A00000004", "975310", pin_tries_left=0, note="密码锁定"),
    DemoCitizen("gen2", "周建华", "1", dt.date(1966, 5, 20), "61011319660520008", "陕西省西安市新城区解放路8号",
                "normal", "A00000008", "123456", note="二代卡", spec_version="2.00"),
    DemoCitizen("lost", "吴淑珍", "2", dt.date(1958, 12, 1), "61010219581201010", "陕西省西安市新城区东五路10号",
                "lost", "A00000010", "580312", note="正式挂失"),
    DemoCitizen("cancelled", "郑国强", "1", dt.date(1944, 2, 14), "61010319440214011", "陕西省西安市碑林区南门11号",
                "cancelled", "A00000011", "440214", note="已注销"),
    DemoCitizen("expiring", "陈志强", "1", dt.date(1972, 10, 3), "61011619721003012", "陕西省西安市长安区韦曲街12号",
                "normal", "A00000012", "314159", note="即将到期（30天内）", expires_in_days=30),
    DemoCitizen("producing", "孙丽", "2", dt.date(1990, 9, 9), "61011319900909006", "陕西省西安市雁塔区科技路5号",
                None, application="producing", note="制卡中"),
    DemoCitizen("child", "王小宝", "1", dt.date(2016, 6, 1), "61011320160601013", "陕西省西安市雁塔区长安南路1号",
                None, note="10岁，无卡（监护人代办）"),
    DemoCitizen("no_card", "刘䶮", "1", dt.date(1985, 4, 30), "61011319850430007", "陕西省西安市未央区凤城6号",
                None, note="无卡（生僻字姓名）"),
)


# A member of the hall's staff, registered at the embedded service (kiosk/backend/staff.py) with this staff
# number and PIN: their own ID card on the reader and the PIN open staff mode (the simulator panel has it).
STAFF = DemoCitizen("staff", "马卫东", "1", dt.date(1982, 8, 16), "61011319820816015", "陕西省西安市雁塔区小寨东路15号",
                    None, note="工作人员")
STAFF_NO, STAFF_PIN = "S0001", "802461"


def by_key(key: str) -> DemoCitizen:
    for citizen in (*CITIZENS, STAFF):
        if citizen.key == key:
            return citizen
    raise KeyError(key)
