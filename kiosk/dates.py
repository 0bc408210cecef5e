"""Calendar arithmetic for periods counted in years or months (a card's 10-year validity, a temporary card's
3 months, an ID card's validity), in one place so that no caller does ``date.replace(year=…)``, which
raises on 29 February of a year that is not a leap year.

The rule is the Civil Code's (民法典 第二百零二条, art. 202, gives the end of a period counted in years or months):
"按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日。" — the same day
of the month at the end; where that month has no such day, its last day. So a card issued on 2028-02-29
is valid until 2038-02-28, and 31 January plus one month is the last day of February.
"""
from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` (negative: back), kept on its day of the month or, where the month is
    shorter, on its last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved by ``years`` (negative: back); 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)
