"""Dates and times for the local brain: spoken or written expressions → ISO dates and "HH:MM" times.

Relative words resolve against an injected reference day, so the same words and day always give the same answer.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import cast

from realtime_cli.local.brain_text import Token, parse_number, word_list

_WEEKDAYS = word_list("monday tuesday wednesday thursday friday saturday sunday")
_MONTHS = word_list("january february march april may june july august september october november december")
_MONTH_INDEX = {name: i + 1 for i, name in enumerate(_MONTHS)}
_MONTH_INDEX.update({name[:3]: i + 1 for i, name in enumerate(_MONTHS) if name not in ("may", "march")})
_MONTH_INDEX["sept"] = 9
_DAY_PARTS = ("morning", "afternoon", "evening", "night")
_PARTS_OF_DAY = {"morning": "09:00", "afternoon": "14:00", "evening": "18:00", "tonight": "20:00", "night": "20:00"}

Span = frozenset[int]


def _month_day(month: int, day: int, year: int | None, today: date) -> date | None:
    """A calendar date; without a year, the next one on or after `today`."""
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def _day_number(tokens: list[Token], i: int) -> tuple[int, int, bool] | None:
    """A day of the month at tokens[i] ("3", "3rd", "third", "twenty first") → (day, next index, is_ordinal)."""
    parsed = parse_number(tokens, i, ordinal=True)
    if parsed is None or parsed[0] != int(parsed[0]) or not 1 <= parsed[0] <= 31:
        return None
    return int(parsed[0]), parsed[1], parsed[2]


def _year_at(tokens: list[Token], i: int) -> tuple[int | None, int]:
    if i < len(tokens) and re.fullmatch(r"\d{4}", tokens[i].low):
        return int(tokens[i].low), i + 1
    return None, i


_DateHit = tuple[date, int] | None
_NOT_MINE = object()  # a date parser's answer when the expression is not of its kind (the next parser tries)


def _written_date(tokens: list[Token], i: int, today: date) -> object:
    """ISO ("2025-03-14") and slashed ("3/14", "14/3/2025") dates."""
    low = tokens[i].low
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", low)
    if iso:
        found = _month_day(int(iso.group(2)), int(iso.group(3)), int(iso.group(1)), today)
        return (found, i + 1) if found else None
    slash = re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?", low)
    if slash:
        first, second = int(slash.group(1)), int(slash.group(2))
        month, day = (second, first) if first > 12 else (first, second)
        found = _month_day(month, day, int(slash.group(3)) if slash.group(3) else None, today)
        return (found, i + 1) if found else None
    return _NOT_MINE


def _relative_date(tokens: list[Token], i: int, today: date) -> object:
    """today, this evening, tomorrow, the day after tomorrow, next week, in three days / a week."""
    low = tokens[i].low
    nxt = tokens[i + 1].low if i + 1 < len(tokens) else ""
    if low == "day" and nxt == "after" and i + 2 < len(tokens) and tokens[i + 2].low == "tomorrow":
        return today + timedelta(days=2), i + 3
    simple = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}
    if low in simple:
        return today + timedelta(days=simple[low]), i + 1
    if low == "this" and nxt in _DAY_PARTS:  # "this evening" is today
        return today, i + 2
    if low == "next" and nxt == "week":
        return today + timedelta(days=7), i + 2
    if low != "in":
        return _NOT_MINE
    amount = parse_number(tokens, i + 1) if nxt not in ("a", "an") else (1.0, i + 2, False)
    if amount is not None and amount[1] < len(tokens) and amount[0] == int(amount[0]) and amount[0] < 400:
        unit = tokens[amount[1]].low
        if unit in ("day", "days"):
            return today + timedelta(days=int(amount[0])), amount[1] + 1
        if unit in ("week", "weeks"):
            return today + timedelta(days=7 * int(amount[0])), amount[1] + 1
    return None


def _weekday_date(tokens: list[Token], i: int, today: date) -> object:
    """friday, next friday, this coming friday: the next such day after today."""
    low = tokens[i].low
    nxt = tokens[i + 1].low if i + 1 < len(tokens) else ""
    weekday = low if low in _WEEKDAYS else (nxt if low in ("next", "this", "coming") and nxt in _WEEKDAYS else None)
    if weekday is None:
        return _NOT_MINE
    ahead = (_WEEKDAYS.index(weekday) - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead), i + (1 if low == weekday else 2)


def _month_first_date(tokens: list[Token], i: int, today: date) -> object:
    """march 14, march the 14th, march 14 2026."""
    low = tokens[i].low
    if low not in _MONTH_INDEX:
        return _NOT_MINE
    nxt = tokens[i + 1].low if i + 1 < len(tokens) else ""
    after_month = _day_number(tokens, i + 1 + (nxt == "the"))
    if after_month is None:
        return None
    year, end = _year_at(tokens, after_month[1])
    found = _month_day(_MONTH_INDEX[low], after_month[0], year, today)
    return (found, end) if found else None


def _day_first_date(tokens: list[Token], i: int, today: date) -> object:
    """14th of march, 14 march 2026, the 14th (this month, or next if it has passed)."""
    numbered = _day_number(tokens, i)
    if numbered is None:
        return None
    dom, after, is_ordinal = numbered
    j = after + (after < len(tokens) and tokens[after].low == "of")
    if j < len(tokens) and tokens[j].low in _MONTH_INDEX:
        year, end = _year_at(tokens, j + 1)
        found = _month_day(_MONTH_INDEX[tokens[j].low], dom, year, today)
        return (found, end) if found else None
    if i > 0 and tokens[i - 1].low == "the" and is_ordinal:
        found = _month_day(today.month, dom, today.year, today)
        if found is not None and found < today:
            found = _month_day(today.month % 12 + 1, dom, today.year + (today.month == 12), today)
        return (found, after) if found else None
    return None


_DATE_PARSERS = (_written_date, _relative_date, _weekday_date, _month_first_date, _day_first_date)


def _date_at(tokens: list[Token], i: int, today: date) -> _DateHit:
    """A date expression starting at tokens[i] → (date, index after it); the first parser that owns it decides."""
    for parse in _DATE_PARSERS:
        found = parse(tokens, i, today)
        if found is not _NOT_MINE:
            return cast(_DateHit, found)
    return None


def find_date(tokens: list[Token], today: date) -> tuple[date, Span] | None:
    """The first date mentioned in the tokens and the token positions it used."""
    for i in range(len(tokens)):
        found = _date_at(tokens, i, today)
        if found is not None:
            return found[0], frozenset(range(i, found[1]))
    return None


def _meridiem(tokens: list[Token], i: int) -> tuple[str | None, int]:
    """"am"/"pm" at tokens[i] (also spoken "p m", "in the afternoon", "tonight") → (marker, index after it)."""
    low = tokens[i].low if i < len(tokens) else ""
    if low in ("am", "pm"):
        return low, i + 1
    if low in ("a", "p") and i + 1 < len(tokens) and tokens[i + 1].low == "m":
        return low + "m", i + 2
    if low == "tonight":
        return "pm", i + 1
    for prefix in (("in", "the"), ("this",), ("at",), ()):
        size = len(prefix)
        phrase = [t.low for t in tokens[i : i + size + 1]]
        if len(phrase) == size + 1 and tuple(phrase[:size]) == prefix and phrase[size] in _DAY_PARTS:
            return ("am" if phrase[size] == "morning" else "pm"), i + size + 1
    return None, i


def _clock(hour: int, minute: int, marker: str | None) -> str | None:
    if marker == "pm" and hour < 12:
        hour += 12
    elif marker == "am" and hour == 12:
        hour = 0
    elif marker is None and 1 <= hour <= 6:
        hour += 12  # a bare "at three" means the afternoon
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


def _time_at(tokens: list[Token], i: int) -> tuple[str, int] | None:
    low = tokens[i].low
    if low in ("noon", "midday"):
        return "12:00", i + 1
    if low == "midnight":
        return "00:00", i + 1
    colon = re.fullmatch(r"(\d{1,2}):(\d{2})", low)
    if colon:
        marker, end = _meridiem(tokens, i + 1)
        hour = int(colon.group(1))
        clock = _clock(hour, int(colon.group(2)), marker)
        return (clock, end) if clock else None
    if low in ("half", "quarter") and i + 2 < len(tokens) and tokens[i + 1].low in ("past", "after", "to"):
        hour_num = parse_number(tokens, i + 2)
        if hour_num is None or hour_num[0] != int(hour_num[0]) or not 1 <= hour_num[0] <= 12:
            return None
        hour, minute = int(hour_num[0]), 30 if low == "half" else 15
        if tokens[i + 1].low == "to":
            hour, minute = (hour - 1) or 12, 60 - minute
        marker, end = _meridiem(tokens, hour_num[1])
        clock = _clock(hour, minute, marker)
        return (clock, end) if clock else None
    hour_num = parse_number(tokens, i)
    if hour_num is None or hour_num[0] != int(hour_num[0]) or not 0 <= hour_num[0] <= 23:
        return None
    hour, j, minute, has_minutes = int(hour_num[0]), hour_num[1], 0, False
    if j < len(tokens) and tokens[j].low in ("oh", "o") and j + 1 < len(tokens):
        minute_num = parse_number(tokens, j + 1)
        if minute_num is not None and 0 < minute_num[0] < 10:
            minute, j, has_minutes = int(minute_num[0]), minute_num[1], True
    elif j < len(tokens) and not tokens[j].low[:1].isdigit():
        minute_num = parse_number(tokens, j)
        if minute_num is not None and minute_num[0] == int(minute_num[0]) and 10 <= minute_num[0] <= 59:
            minute, j, has_minutes = int(minute_num[0]), minute_num[1], True
    if j < len(tokens) and tokens[j].low == "oclock":
        j += 1
        has_minutes = True
    marker, end = _meridiem(tokens, j)
    preceded = i > 0 and tokens[i - 1].low in ("at", "around", "by", "until", "till", "from")
    if marker is None and not has_minutes and not preceded:
        return None
    clock = _clock(hour, minute, marker)
    return (clock, end) if clock else None


def find_time(tokens: list[Token]) -> tuple[str, Span] | None:
    """The first time of day mentioned ("3 pm", "15:30", "ten thirty", "noon"; else "morning" → 09:00)."""
    for i in range(len(tokens)):
        found = _time_at(tokens, i)
        if found is not None:
            return found[0], frozenset(range(i, found[1]))
    for i, token in enumerate(tokens):
        if token.low in _PARTS_OF_DAY:
            return _PARTS_OF_DAY[token.low], frozenset({i})
    return None
