"""Dates, durations and intervals with Pacemaker 3.0.2's ``crm_time`` semantics
(``lib/common/iso8601.c``, ``lib/common/strings.c``).

Representation
--------------
The public functions take and return **timezone-aware** ``datetime`` values.
Their ``tzinfo`` is the fixed UTC offset that Pacemaker keeps with the value
(``timezone.utc`` for most: a date without a time, a ``Z`` time, and every
time this module computes, such as ``rule_next_change``).  Aware datetimes
compare as instants, which is what ``crm_time_compare()`` does; the offset
matters only to ``date_spec`` matching, which, like Pacemaker, reads the hour,
weekday... of the time as written in its own offset.  A naive datetime is taken
as UTC.

Internally every computation runs on ``CrmTime``, a faithful copy of
``crm_time_t`` (year, ordinal day, seconds of day, UTC offset; months and a
duration flag for durations), so that Pacemaker's arithmetic quirks come out
the same: adding a year keeps the ordinal day (2004-02-29 + 1 year is
2005-03-01), adding months clips the day of the month, adding one second to
23:59:59 gives "24:00:00" of the same day (which compares before 00:00:00 of
the next day), and so on.

Local time
----------
Like Pacemaker, a time of day written without an offset
(``2014-05-07 00:28:00``) is in the machine's *current* local offset, and a
date without a time (``2005-020``) is at 00:00:00 UTC.  ``local_utc_offset``
is the one place that asks the system; tests replace it.
"""

from __future__ import annotations

import time as _time
from datetime import datetime, timedelta, timezone
from typing import Iterable, Mapping

from attrs import evolve, frozen

from pengine.common.scores import C_SPACE, strtoll

SECONDS_IN_MINUTE = 60
SECONDS_IN_HOUR = 3600
SECONDS_IN_DAY = 86400
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
UINT_MAX = 2**32 - 1  # G_MAXUINT
ULONG_MAX = 2**64 - 1
EPOCH_SECONDS = 62135596800  # seconds from 0001-01-01 to 1970-01-01


class DateError(ValueError):
    """Text that Pacemaker would not accept as a date/time or duration."""


# ------------------------------------------------------------- calendar ----

def is_leap_year(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def year_days(year: int) -> int:
    return 366 if is_leap_year(year) else 365


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(month: int, year: int) -> int:
    """``days_in_month_year()``: 0 for an invalid month or a year below 1."""
    if not 1 <= month <= 12 or year < 1:
        return 0
    if month == 2 and is_leap_year(year):
        return 29
    return _MONTH_DAYS[month - 1]


def _ordinal_days(year: int, month: int, day: int) -> int:
    """``get_ordinal_days()``: 0 for invalid arguments."""
    if not (1 <= year <= INT_MAX and 1 <= month <= 12 and 1 <= day <= 31):
        return 0
    return sum(days_in_month(m, year) for m in range(1, month)) + day


def _c_div(a: int, b: int) -> int:
    """C integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _c_mod(a: int, b: int) -> int:
    return a - b * _c_div(a, b)


def jan1_day_of_week(year: int) -> int:
    """Weekday of January 1 (Monday = 1 ... Sunday = 7)."""
    yy = _c_mod(year - 1, 100)
    c = (year - 1) - yy
    g = yy + _c_div(yy, 4)
    return 1 + _c_mod(_c_mod(_c_div(c, 100), 4) * 5 + g, 7)


def weeks_in_year(year: int) -> int:
    if jan1_day_of_week(year) == 4 or jan1_day_of_week(year + 1) == 5:
        return 53
    return 52


def _days_before_year(year: int) -> int:
    """Days in years 1 .. year-1 (0 for year <= 1)."""
    if year <= 1:
        return 0
    y = year - 1
    return 365 * y + y // 4 - y // 100 + y // 400


# -------------------------------------------------------------- CrmTime ----

@frozen
class CrmTime:
    """A ``crm_time_t``: a date/time or (``duration=True``) a duration.

    For a date/time, ``days`` is the ordinal day of ``years`` and ``seconds``
    the seconds since midnight, both in the local time of ``offset`` (seconds
    east of UTC).  For a duration, ``years``, ``months``, ``days`` and
    ``seconds`` are the amounts of each unit.
    """

    years: int = 0
    days: int = 0
    seconds: int = 0
    offset: int = 0
    months: int = 0
    duration: bool = False

    # -- arithmetic (crm_time_add_*) -------------------------------------

    def add_years(self, value: int) -> "CrmTime":
        if value > 0 and self.years + value > INT_MAX:
            return evolve(self, years=INT_MAX)
        if value < 0 and self.years + value < 1:
            return evolve(self, years=1)
        return evolve(self, years=self.years + value)

    def add_days(self, value: int) -> "CrmTime":
        years, days = self.years, self.days
        if value > 0:
            while days + value > year_days(years):
                if years >= INT_MAX:
                    return evolve(self, days=year_days(years))
                value -= year_days(years)
                years += 1
        elif value < 0:
            lower = 0 if self.duration else 1
            while days + value < lower:
                if years - 1 < 1:
                    return evolve(self, years=years, days=1)
                years -= 1
                value += year_days(years)
        return evolve(self, years=years, days=days + value)

    def add_seconds(self, value: int) -> "CrmTime":
        days = _c_div(value, SECONDS_IN_DAY)
        seconds = self.seconds + _c_mod(value, SECONDS_IN_DAY)
        # Pacemaker tests "> SECONDS_IN_DAY", so 24:00:00 can remain
        if seconds > SECONDS_IN_DAY:
            days += 1
            seconds -= SECONDS_IN_DAY
        elif seconds < 0:
            days -= 1
            seconds += SECONDS_IN_DAY
        return evolve(self, seconds=seconds).add_days(days)

    def add_months(self, value: int) -> "CrmTime":
        year, month, day = self.gregorian()
        if value > 0 and month > 12:
            month += value  # Pacemaker only wraps when it reaches exactly 13
        elif value != 0:
            total = year * 12 + (month - 1) + value
            year, month = total // 12, total % 12 + 1
        limit = days_in_month(month, year)
        if limit < day:
            day = limit
        return evolve(self, years=year, days=_ordinal_days(year, month, day))

    def add_hours(self, value: int) -> "CrmTime":
        return self.add_seconds(value * SECONDS_IN_HOUR)

    def add_minutes(self, value: int) -> "CrmTime":
        return self.add_seconds(value * SECONDS_IN_MINUTE)

    def add_weeks(self, value: int) -> "CrmTime":
        return self.add_days(value * 7)

    def plus(self, amount: "CrmTime") -> "CrmTime":
        """``crm_time_add()``: this date/time plus a duration."""
        utc = amount.to_utc()
        return (self.add_years(utc.years).add_months(utc.months)
                .add_days(utc.days).add_seconds(utc.seconds))

    def minus(self, amount: "CrmTime") -> "CrmTime":
        """``crm_time_subtract()``: this date/time minus a duration."""
        utc = amount.to_utc()
        result = self.add_years(-utc.years)
        if utc.months != 0:
            result = result.add_months(-utc.months)
        return result.add_days(-utc.days).add_seconds(-utc.seconds)

    # -- conversions and views ------------------------------------------

    def to_utc(self) -> "CrmTime":
        """``crm_get_utc_time()`` / ``copy_time_to_utc()``."""
        utc = CrmTime(years=self.years, days=self.days, seconds=self.seconds,
                      duration=self.duration)
        if self.offset != 0:
            return utc.add_seconds(-self.offset)
        return evolve(utc, months=self.months)

    def compare(self, other: "CrmTime") -> int:
        """``crm_time_compare()``: -1, 0 or 1, field by field in UTC."""
        a, b = self.to_utc(), other.to_utc()
        left, right = (a.years, a.days, a.seconds), (b.years, b.days, b.seconds)
        return (left > right) - (left < right)

    def is_defined(self) -> bool:
        return bool(self.years or self.months or self.days or self.seconds
                    or self.offset or self.duration)

    def total_seconds(self) -> int:
        """``crm_time_get_seconds()`` as in Pacemaker 3.0.2: seconds since
        0001-01-01 for a date/time.  For a duration the same formula is used,
        so whole years and days count one less than written (``P1D`` is 0
        seconds, ``P2D`` one day, ``P1W`` six days) and months count 30 days;
        later Pacemaker versions fixed this."""
        utc = self.to_utc()
        days = _days_before_year(utc.years)
        if utc.months > 0:
            days += 30 * utc.months
        if utc.days > 0:
            days += utc.days - 1
        return days * SECONDS_IN_DAY + utc.seconds

    def epoch_seconds(self) -> int:
        return self.total_seconds() - EPOCH_SECONDS

    def gregorian(self) -> tuple[int, int, int]:
        """``crm_time_get_gregorian()``: (year, month, day of month)."""
        months = 0
        days = self.days
        if self.years != 0:
            months = 1
            while months <= 12 and days > 0:
                mdays = days_in_month(months, self.years)
                if mdays >= days:
                    break
                days -= mdays
                months += 1
        elif self.months:
            months = self.months
        return self.years, months, days

    def ordinal(self) -> tuple[int, int]:
        return self.years, self.days

    def timeofday(self) -> tuple[int, int, int]:
        s = self.seconds
        return (abs(_c_div(s, SECONDS_IN_HOUR)),
                abs(_c_div(_c_mod(s, SECONDS_IN_HOUR), SECONDS_IN_MINUTE)),
                abs(_c_mod(s, SECONDS_IN_MINUTE)))

    def isoweek(self) -> tuple[int, int, int]:
        """``crm_time_get_isoweek()``: (week-year, week, weekday 1-7)."""
        if self.days <= 0:
            return 0, 0, 0
        jan1 = jan1_day_of_week(self.years)
        h = self.days + jan1 - 1
        weekday = 1 + _c_mod(h - 1, 7)
        week = 0
        if self.days <= 8 - jan1 and jan1 > 4:
            year_num = self.years - 1
            week = weeks_in_year(year_num)
        else:
            year_num = self.years
        if year_num == self.years:
            if year_days(year_num) - self.days < 4 - weekday:
                year_num = self.years + 1
                week = 1
        if year_num == self.years:
            week = _c_div(self.days + (7 - weekday) + (jan1 - 1), 7)
            if jan1 > 4:
                week -= 1
        return year_num, week, weekday

    def to_datetime(self) -> datetime:
        """The same instant as an aware datetime in this time's offset
        (clipped to what ``datetime`` can represent)."""
        total = self.total_seconds()
        total = max(0, min(_days_before_year(10000) * SECONDS_IN_DAY - 1, total))
        utc = datetime(1, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=total)
        if self.offset == 0:
            return utc
        try:
            return utc.astimezone(timezone(timedelta(seconds=self.offset)))
        except (OverflowError, ValueError):
            return utc

    @classmethod
    def from_datetime(cls, value: datetime) -> "CrmTime":
        offset = value.utcoffset()
        return cls(years=value.year, days=value.timetuple().tm_yday,
                   seconds=value.hour * 3600 + value.minute * 60 + value.second,
                   offset=int(offset.total_seconds()) if offset is not None else 0)

    @classmethod
    def from_epoch(cls, seconds: int, offset: int | None = None) -> "CrmTime":
        """``pcmk__copy_timet()``: an epoch time in local time (``offset``
        seconds east of UTC; the system's local offset at that time when
        None)."""
        gmtoff = local_utc_offset(seconds) if offset is None else offset
        days, secs = divmod(seconds + gmtoff, SECONDS_IN_DAY)
        local = CrmTime(years=1970, days=1).add_days(days)
        # Pacemaker keeps the offset in whole hours and minutes only
        hours = _c_div(gmtoff, SECONDS_IN_HOUR)
        minutes = _c_div(gmtoff - SECONDS_IN_HOUR * hours, SECONDS_IN_MINUTE)
        return evolve(local, seconds=secs,
                      offset=SECONDS_IN_HOUR * hours + SECONDS_IN_MINUTE * minutes)


def local_utc_offset(at_epoch: float | None = None) -> int:
    """The system's UTC offset (seconds east) at ``at_epoch`` (now if None)."""
    when = _time.time() if at_epoch is None else at_epoch
    return int(_time.localtime(when).tm_gmtoff)


def _pacemaker_local_offset() -> int:
    """``parse_offset(NULL)``: the current local offset, rebuilt from hours and
    minutes the way Pacemaker does (including its sign slip for negative
    offsets that are not whole hours)."""
    gmtoff = local_utc_offset()
    hours = _c_div(gmtoff, SECONDS_IN_HOUR)
    minutes = _c_div(gmtoff - SECONDS_IN_HOUR * hours, SECONDS_IN_MINUTE)
    if hours < 0 and minutes < 0:
        minutes = -minutes
    return SECONDS_IN_HOUR * hours + SECONDS_IN_MINUTE * minutes


# ------------------------------------------------------ sscanf helpers ----

def _scan_u(text: str, pos: int, width: int | None) -> tuple[int, int] | None:
    """One C ``sscanf`` ``%u`` (or ``%Nu``) conversion at ``pos``."""
    n = len(text)
    while pos < n and text[pos] in C_SPACE:
        pos += 1
    limit = n if width is None else min(n, pos + width)
    negative = False
    if pos < limit and text[pos] in "+-":
        negative = text[pos] == "-"
        pos += 1
    digits = pos
    while pos < limit and "0" <= text[pos] <= "9":
        pos += 1
    if pos == digits:
        return None
    value = int(text[digits:pos])
    if value > ULONG_MAX:
        value = ULONG_MAX  # strtoul() clamps, whatever the sign
    elif negative:
        value = (-value) % 2**64
    return value % 2**32, pos


def _sscanf(text: str, spec: Iterable) -> list[int]:
    """Tiny ``sscanf``: ``spec`` items are a literal character or an
    ``int | None`` width for a ``%u``.  Returns the converted values."""
    values: list[int] = []
    pos = 0
    for item in spec:
        if isinstance(item, str):
            if pos < len(text) and text[pos] == item:
                pos += 1
                continue
            break
        got = _scan_u(text, pos, item)
        if got is None:
            break
        value, pos = got
        values.append(value)
    return values


_U = None  # a plain %u


# ------------------------------------------------------- date parsing ----

def _parse_hms(text: str) -> int | None:
    """``parse_hms()``: seconds for H[:M[:S]] or HHMMSS (24:00:00 allowed)."""
    values = _sscanf(text, (_U, ":", _U, ":", _U))
    if len(values) == 1:
        values = _sscanf(text, (2, 2, 2))
    if not values:
        return None
    hour, minute, second = (values + [0, 0, 0])[:3]
    if (hour, minute, second) == (24, 0, 0):
        pass
    elif hour >= 24:
        return None
    if minute >= 60 or second >= 60:
        return None
    return hour * SECONDS_IN_HOUR + minute * SECONDS_IN_MINUTE + second


def _parse_offset(text: str | None) -> int | None:
    if text is None:
        return _pacemaker_local_offset()
    if text.startswith("Z"):
        return 0
    if text and (text[0] in "+-" or "0" <= text[0] <= "9"):
        negate = text[0] == "-"
        if text[0] in "+-":
            text = text[1:]
        seconds = _parse_hms(text)
        if seconds is None:
            return None
        return -seconds if negate else seconds
    return 0


def _parse_time(text: str, base: CrmTime) -> CrmTime | None:
    seconds = _parse_hms(text)
    if seconds is None:
        return None
    cut = text.find("Z")
    if cut < 0:
        found = [i for i in (text.find(" "), text.find("+"), text.find("-")) if i >= 0]
        cut = min(found) if found else -1
    offset_text = None
    if cut >= 0:
        offset_text = text[cut:].lstrip(C_SPACE)
    offset = _parse_offset(offset_text)
    if offset is None:
        return None
    result = evolve(base, seconds=seconds, offset=offset)
    if seconds == SECONDS_IN_DAY:
        result = evolve(result, seconds=0).add_days(1)
    return result


def _valid_time(t: CrmTime) -> bool:
    return 0 < t.days <= year_days(t.years) and 0 <= t.seconds < SECONDS_IN_DAY


def parse_crm_time(text: str | None, *, now: float | None = None) -> CrmTime:
    """``crm_time_new()`` of an ISO 8601 date/time, as Pacemaker parses it.

    Accepted: ``YYYY-MM-DD``, ``YYYYMMDD``, ordinal ``YYYY-DDD``, week dates
    ``YYYY-Www-D``, each optionally followed by ``T`` or a space and a time
    ``HH[:MM[:SS]]`` or ``HHMMSS``, then optionally ``Z``, an offset
    (``+HH[:MM]``, ``-HHMM``...), with or without a space before it; a time
    alone (``T12:00``, ``12:00:00``) on today's date; and ``epoch``.  Text
    after the date that is neither ``T`` nor a space is ignored, as in
    Pacemaker.  ``now`` (epoch seconds) replaces the clock for times alone.
    Raises DateError.
    """
    if not text:
        raise DateError("no ISO 8601 date/time given")
    if text[0] == "T" or (len(text) > 2 and text[2] == ":"):
        clock = _time.time() if now is None else now
        base = CrmTime.from_epoch(int(clock))
        result = _parse_time(text[1:] if text[0] == "T" else text, base)
        if result is None or not _valid_time(result):
            raise DateError(f"'{text}' is not a valid ISO 8601 time")
        return result

    if text[:5].lower() == "epoch" and (len(text) == 5 or text[5] == "/"
                                         or text[5] in C_SPACE):
        return CrmTime(years=1970, days=1)

    bad = DateError(f"'{text}' is not a valid ISO 8601 date/time specification")
    values = _sscanf(text, (_U, "-", _U, "-", _U))
    if len(values) == 1:
        values = _sscanf(text, (4, 2, 2))
    if len(values) == 3:
        year, month, day = values
        if not 1 <= month <= 12 or not 1 <= year <= INT_MAX:
            raise bad
        if not 1 <= day <= days_in_month(month, year):
            raise bad
        dt = CrmTime(years=year, days=_ordinal_days(year, month, day))
    else:
        values = _sscanf(text, (_U, "-", _U))
        if len(values) == 2:
            year, day = values
            if not 1 <= year <= INT_MAX or not 1 <= day <= year_days(year):
                raise bad
            dt = CrmTime(years=year, days=day)
        else:
            values = _sscanf(text, (_U, "-", "W", _U, "-", _U))
            if len(values) != 3:
                raise bad
            year, week, day = values
            if not 1 <= year <= INT_MAX:
                raise bad
            if not 1 <= week <= weeks_in_year(year) or not 1 <= day <= 7:
                raise bad
            jan1 = jan1_day_of_week(year)
            dt = CrmTime(years=year).add_days((week - 1) * 7)
            dt = dt.add_days(1 - jan1 if jan1 <= 4 else 8 - jan1)
            dt = dt.add_days(day)

    rest = text.lstrip("0123456789-W")
    if rest[:1] in (" ", "T") and rest:
        parsed = _parse_time(rest[1:], dt)
        if parsed is None:
            raise bad
        dt = parsed
    if not _valid_time(dt):
        raise bad
    return dt


def parse_datetime(text: str | None, *, now: float | None = None) -> datetime:
    """An ISO 8601 date/time as Pacemaker reads it (see ``parse_crm_time``),
    as an aware datetime carrying the offset Pacemaker keeps.  Years after
    9999, which Pacemaker accepts but ``datetime`` cannot hold, raise
    DateError (rules use ``parse_crm_time`` and handle them)."""
    parsed = parse_crm_time(text, now=now)
    if not 1 <= parsed.to_utc().years <= 9999:
        raise DateError(f"'{text}' is outside the years 1 to 9999")
    return parsed.to_datetime()


def parse_period(text: str | None, *, now: float | None = None) -> tuple[datetime, datetime]:
    """``crm_time_parse_period()``: ``start/end``, ``start/duration``,
    ``duration/end`` or a duration alone (starting now) as ``(start, end)``.
    Raises DateError."""
    if not text:
        raise DateError("no ISO 8601 time period given")
    bad = DateError(f"'{text}' is not a valid ISO 8601 time period")
    start = end = amount = None
    if text[0] == "P":
        amount = parse_duration(text)
    else:
        start = parse_crm_time(text, now=now)
    slash = text.find("/")
    if slash >= 0:
        second = text[slash + 1:]
        if second[:1] == "P":
            if amount is not None:
                raise bad
            amount = parse_duration(second)
        else:
            end = parse_crm_time(second, now=now)
    elif amount is not None:
        start = CrmTime.from_epoch(int(_time.time() if now is None else now))
    else:
        raise bad
    if start is None:
        start = end.minus(amount)
    elif end is None:
        end = start.plus(amount)
    if not (_valid_time(start) and _valid_time(end)):
        raise bad
    return start.to_datetime(), end.to_datetime()


# ----------------------------------------------------------- durations ----

def _parse_int(text: str, pos: int) -> tuple[int, int] | None:
    """``parse_int()`` of iso8601.c: (value, characters consumed)."""
    offset = pos
    negate = False
    if offset < len(text):
        c = text[offset]
        if c in ".,":
            return None
        if c == "-":
            negate, offset = True, offset + 1
        elif c in "+:":
            offset += 1
    value = 0
    count = 0
    while count < 10 and offset < len(text) and "0" <= text[offset] <= "9":
        value = value * 10 + int(text[offset])
        if value > INT_MAX:
            return None
        offset += 1
        count += 1
    if count == 0:
        return None
    return (-value if negate else value), offset - pos


def parse_duration(text: str | None) -> CrmTime:
    """``crm_time_parse_duration()``: ``P[nY][nM][nW][nD][T[nH][nM][nS]]``.

    Units may come in any order; ``M`` means months before a ``T`` and
    minutes after it; ``Y`` and months replace, the others add up.  Parsing
    stops at ``/`` or white space.  An all-zero duration (``PT0S``) is
    invalid, as in Pacemaker.  Raises DateError.
    """
    if not text or text[0] != "P" or len(text) == 1 or text[1] in C_SPACE:
        raise DateError(f"'{text}' is not a valid ISO 8601 duration")
    bad = DateError(f"'{text}' is not a valid ISO 8601 duration")
    years = months = days = seconds = 0
    is_time = False
    pos = 1
    while pos < len(text) and text[pos] != "/" and text[pos] not in C_SPACE:
        if text[pos] == "T":
            is_time = True
            pos += 1
            continue
        got = _parse_int(text, pos)
        if got is None:
            raise bad
        value, consumed = got
        pos += consumed
        unit = text[pos] if pos < len(text) else ""
        if unit == "Y":
            years = value
        elif unit == "M" and not is_time:
            months = value
        elif unit in ("M", "H", "S"):
            factor = {"M": 60, "H": SECONDS_IN_HOUR, "S": 1}[unit]
            seconds += value * factor
            if not INT_MIN <= seconds <= INT_MAX:
                raise bad
        elif unit in ("W", "D"):
            days += value * (7 if unit == "W" else 1)
            if not INT_MIN <= days <= INT_MAX:
                raise bad
        else:
            raise bad
        pos += 1
    result = CrmTime(years=years, months=months, days=days, seconds=seconds)
    if not result.is_defined():
        raise bad
    return evolve(result, duration=True)


def duration_seconds(amount: CrmTime) -> int:
    """Seconds in a parsed duration, as Pacemaker 3.0.2 counts them
    (see ``CrmTime.total_seconds``)."""
    return amount.total_seconds()


def add_duration(when: datetime, amount: CrmTime) -> datetime:
    """``crm_time_add()``: a date/time plus a duration."""
    return _to_crm(when).plus(amount).to_datetime()


def subtract_duration(when: datetime, amount: CrmTime) -> datetime:
    """``crm_time_subtract()``: a date/time minus a duration."""
    return _to_crm(when).minus(amount).to_datetime()


# The components of a <duration> element, in the order Pacemaker adds them
DURATION_FIELDS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")


def apply_duration_fields(start: CrmTime, fields: Mapping[str, str]) -> CrmTime | None:
    """``pcmk__unpack_duration()``: ``start`` plus a ``<duration>`` element's
    fields (each an integer, default 0), added years first.  None when a
    field is not an integer or is outside the C ``int`` range (Pacemaker 3.0
    then treats the date expression as not passing)."""
    end = start
    for name in DURATION_FIELDS:
        text = fields.get(name)
        if text is None:
            continue
        value, stop, overflow = strtoll(text)
        if stop == 0 or overflow or not INT_MIN <= value <= INT_MAX:
            return None
        if value == 0:
            continue
        end = {
            "years": end.add_years, "months": end.add_months,
            "weeks": end.add_weeks, "days": end.add_days,
            "hours": end.add_hours, "minutes": end.add_minutes,
            "seconds": end.add_seconds,
        }[name](value)
    return end


# ----------------------------------------------------------- date_spec ----

def parse_range(text: str | None) -> tuple[int, int] | None:
    """``pcmk__parse_ll_range()``: ``"X-Y"``, ``"X-"``, ``"-Y"`` or ``"Z"`` as
    ``(low, high)`` with -1 for an open end; None when invalid."""
    if not text:
        return None
    start_s, dash, end_s = text.partition("-")
    if not start_s and not end_s:
        return None
    low = high = -1
    if start_s:
        value, stop, overflow = strtoll(start_s)
        if stop == 0 or overflow or stop != len(start_s):
            return None
        low = value
    if not dash:
        return low, low
    if end_s:
        value, stop, overflow = strtoll(end_s)
        if stop == 0 or overflow or stop != len(end_s):
            return None
        high = value
    return low, high


# date_spec attributes Pacemaker 3.0.2 checks, in its order.  "moon" was
# dropped in 3.0 and is ignored.
DATE_SPEC_FIELDS = ("years", "months", "monthdays", "hours", "minutes", "seconds",
                    "yeardays", "weekyears", "weeks", "weekdays")


def date_spec_values(now: CrmTime) -> dict[str, int]:
    """The values a date_spec's ranges are checked against, read in the
    time's own offset."""
    year, month, monthday = now.gregorian()
    hours, minutes, seconds = now.timeofday()
    weekyear, week, weekday = now.isoweek()
    return {"years": year, "months": month, "monthdays": monthday,
            "hours": hours, "minutes": minutes, "seconds": seconds,
            "yeardays": now.days, "weekyears": weekyear, "weeks": week,
            "weekdays": weekday}


def check_date_spec(fields: Mapping[str, str], now: CrmTime) -> str:
    """``pcmk__evaluate_date_spec()``: ``"ok"``, ``"before"``, ``"after"`` or
    ``"invalid"`` (a range that does not parse: Pacemaker 3.0 treats the
    expression as not passing)."""
    values = date_spec_values(now)
    for name in DATE_SPEC_FIELDS:
        text = fields.get(name)
        if text is None:
            continue
        bounds = parse_range(text)
        if bounds is None:
            return "invalid"
        low, high = bounds
        if low != -1 and values[name] < low:
            return "before"
        if high != -1 and values[name] > high:
            return "after"
    return "ok"


def date_spec_matches(fields: Mapping[str, str], now: datetime) -> bool:
    """Whether ``now`` matches a ``<date_spec>``'s fields
    (``hours="9-16"``, ``weekdays="1-5"``...)."""
    return check_date_spec(fields, _to_crm(now)) == "ok"


def moon_phase(now: datetime) -> int:
    """The deprecated ``moon`` value (0 new ... 4 full ... 7) of Pacemaker
    2.x, for reference only: Pacemaker 3.0 no longer checks ``moon``."""
    year, day = _to_crm(now).ordinal()
    golden = year % 19 + 1
    epact = (11 * golden + 18) % 30
    if (epact == 25 and golden > 11) or epact == 24:
        epact += 1
    return ((((day + epact) * 6) + 11) % 177 // 22) & 7


# ------------------------------------------------------------ intervals ----

def parse_ms(text: str | None) -> int | None:
    """``crm_get_msec()``: a number with an optional unit (``s``/``sec``
    default, ``ms``/``msec``, ``us``/``usec``, ``m``/``min``, ``h``/``hr``,
    matched by prefix, case-insensitively; a decimal part is dropped) in
    milliseconds, or None when invalid or negative."""
    if text is None:
        return None
    pos = 0
    while pos < len(text) and text[pos] in C_SPACE:
        pos += 1
    value, stop, overflow = strtoll(text, pos)
    if stop == pos or (value < 0) or (overflow and value <= 0):
        return None
    rest = stop
    while rest < len(text) and ("0" <= text[rest] <= "9" or text[rest] == "."):
        rest += 1
    while rest < len(text) and text[rest] in C_SPACE:
        rest += 1
    units = text[rest:].lower()
    if units == "" or units.startswith("s"):
        multiplier, divisor = 1000, 1
    elif units.startswith("ms"):
        multiplier, divisor = 1, 1
    elif units.startswith("us"):
        multiplier, divisor = 1, 1000
    elif units.startswith("m"):
        multiplier, divisor = 60_000, 1
    elif units.startswith("h"):
        multiplier, divisor = 3_600_000, 1
    else:
        return None
    if value > (2**63 - 1) // multiplier:
        return 2**63 - 1
    return (value * multiplier) // divisor


def parse_interval_spec(text: str | None) -> tuple[int, bool]:
    """``pcmk_parse_interval_spec()``: ``(milliseconds, valid)``.

    ``None`` is 0 and valid; text starting with ``P`` is an ISO 8601 duration
    (counted as ``duration_seconds`` does); anything else goes through
    ``parse_ms``.  Invalid or negative specifications give 0, invalid.  The
    result is capped at ``G_MAXUINT``.
    """
    if text is None:
        return 0, True
    if text[:1] == "P":
        try:
            seconds = duration_seconds(parse_duration(text))
        except DateError:
            msec = -1
        else:
            msec = min(seconds, UINT_MAX // 1000) * 1000
    else:
        parsed = parse_ms(text)
        msec = -1 if parsed is None else parsed
    if msec < 0:
        return 0, False
    return min(msec, UINT_MAX), True


def parse_interval_ms(text: str | None) -> int:
    """Operation interval or timeout in milliseconds, as Pacemaker reads it
    (``"10"``, ``"10s"``, ``"1m"``, ``"500ms"``, ``"1h"``, ``"PT1M"``...);
    invalid specifications give 0."""
    return parse_interval_spec(text)[0]


# ------------------------------------------------------------ printing ----

def format_datetime(when: datetime) -> str:
    """``crm_time_as_string(date|timeofday)`` as crm_simulate prints it:
    ``2020-06-16 19:23:21Z`` (in UTC)."""
    t = _to_crm(when)
    if t.offset != 0:
        t = t.to_utc()
    year, month, day = t.gregorian()
    hours, minutes, seconds = t.timeofday()
    return f"{year:04d}-{month:02d}-{day:02d} {hours:02d}:{minutes:02d}:{seconds:02d}Z"


def from_epoch(seconds: int, offset: int | None = None) -> datetime:
    """An epoch time (``execution-date``) as Pacemaker holds it: in local time
    (``offset`` seconds east of UTC, the system's when None)."""
    return CrmTime.from_epoch(seconds, offset).to_datetime()


def to_epoch(when: datetime) -> int:
    """Seconds since 1970-01-01 00:00:00Z (``crm_time_get_seconds_since_epoch``)."""
    return _to_crm(when).epoch_seconds()


def _to_crm(value: datetime | CrmTime) -> CrmTime:
    if isinstance(value, CrmTime):
        return value
    return CrmTime.from_datetime(value)
