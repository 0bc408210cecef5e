"""Scripted cards of every type for the simulator, the technician's `simulate` and tests. All data is
invented; numbers are built with correct check characters.

Photos: each card carries a simulated photo block (kiosk.hw.idreader.photo.simulated_wlt) naming the person
whose real photograph (kiosk.faces.samples) the simulated decoder returns — the resident card obama, the
2023 permanent-residence card collins, the Hong Kong/Macao/Taiwan card biden; the 2017 permanent-residence
card none (an empty block, as a card whose photo cannot be read)."""
import datetime as dt

from kiosk import idnumber
from kiosk.hw.idreader.idcard import FOREIGN_2017, FOREIGN_2023, HK_MO_TW, RESIDENT, IdCard
from kiosk.hw.idreader.photo import simulated_wlt


def resident(**changes):
    base = dict(card_type=RESIDENT, name="张三", sex="1", nation="01", birth_date=dt.date(1949, 12, 31),
                address="北京市东城区", id_number="11010519491231002X", issuer="北京市公安局东城分局",
                valid_from=dt.date(2015, 1, 1), valid_until=dt.date(2035, 1, 1),
                photo_wlt=simulated_wlt("obama"))
    base.update(changes)
    return IdCard(**base)


def foreign_2017(**changes):
    base = dict(card_type=FOREIGN_2017, name="约翰", name_en="SMITH JOHN", sex="1", nationality="USA",
                id_number="USA110080012345", birth_date=dt.date(1980, 8, 1), valid_from=dt.date(2018, 3, 1),
                valid_until=dt.date(2028, 3, 1), card_version="01", issuer="1100")
    base.update(changes)
    return IdCard(**base)


def foreign_2023(**changes):
    base = dict(card_type=FOREIGN_2023, name="玛丽亚", name_en="GONZALEZ RODRIGUEZ MARIA FERNANDA DE LA CRUZ",
                sex="2", issue_count="00", birth_date=dt.date(1990, 5, 17),
                id_number=idnumber.with_check("93118419900517002"), valid_from=dt.date(2024, 1, 10),
                valid_until=dt.date(2034, 1, 10), nationality="724",
                photo_wlt=simulated_wlt("collins"))
    base.update(changes)
    return IdCard(**base)


def hk_mo_tw(**changes):
    base = dict(card_type=HK_MO_TW, name="陈大文", sex="1", birth_date=dt.date(1975, 2, 3),
                address="广东省深圳市福田区福华路1号", id_number=idnumber.with_check("81000019750203001"),
                issuer="深圳市公安局", valid_from=dt.date(2021, 7, 1), valid_until=dt.date(2026, 7, 1),
                pass_number="H12345678", issue_count="01",
                photo_wlt=simulated_wlt("biden"))
    base.update(changes)
    return IdCard(**base)


def expired(**changes):
    return resident(valid_from=dt.date(2005, 1, 1), valid_until=dt.date(2015, 1, 1), **changes)


SAMPLES = {"resident": resident, "foreign_2017": foreign_2017, "foreign_2023": foreign_2023, "hk_mo_tw": hk_mo_tw}
SCRIPTED = SAMPLES | {"expired": expired}
