"""crm_time semantics: ISO 8601 parsing, durations, date_spec, intervals."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pengine.common import dates
from pengine.common.dates import (CrmTime, DateError, add_duration, apply_duration_fields,
                                  check_date_spec, date_spec_matches, duration_seconds,
                                  format_datetime, from_epoch, parse_crm_time, parse_datetime,
                                  parse_duration, parse_interval_ms, parse_interval_spec, parse_ms,
                                  parse_period, parse_range, subtract_duration, to_epoch)

UTC = timezone.utc


def tz(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


@pytest.fixture
def local(monkeypatch):
    """Pretend the machine's local time is UTC+02:00 (or whatever is set)."""
    def set_offset(seconds: int) -> None:
        monkeypatch.setattr(dates, "local_utc_offset", lambda at_epoch=None: seconds)
    set_offset(7200)
    return set_offset


# ------------------------------------------------------------- parsing ----

@pytest.mark.parametrize("text, expected", [
    # dates alone are midnight UTC, whatever the local time zone
    ("2005-01-20", datetime(2005, 1, 20, tzinfo=UTC)),
    ("20050120", datetime(2005, 1, 20, tzinfo=UTC)),
    ("2005-020", datetime(2005, 1, 20, tzinfo=UTC)),           # ordinal
    ("2005-001", datetime(2005, 1, 1, tzinfo=UTC)),
    ("2004-366", datetime(2004, 12, 31, tzinfo=UTC)),
    ("2005-01", datetime(2005, 1, 1, tzinfo=UTC)),             # read as ordinal day 1
    ("2005-W01-1", datetime(2005, 1, 3, tzinfo=UTC)),          # week dates
    ("2009-W01-1", datetime(2008, 12, 29, tzinfo=UTC)),
    ("2009-W53-7", datetime(2010, 1, 3, tzinfo=UTC)),
    ("2008-W37-6", datetime(2008, 9, 13, tzinfo=UTC)),
    ("2005-020X", datetime(2005, 1, 20, tzinfo=UTC)),          # trailing text ignored
    # times with an explicit zone
    ("2005-020T12:30Z", datetime(2005, 1, 20, 12, 30, tzinfo=UTC)),
    ("2005-01-20 12:30:45Z", datetime(2005, 1, 20, 12, 30, 45, tzinfo=UTC)),
    ("20050120T123045Z", datetime(2005, 1, 20, 12, 30, 45, tzinfo=UTC)),
    ("2019-09-23 05:00:00 -05:00", datetime(2019, 9, 23, 5, tzinfo=tz(-5))),
    ("2019-09-23T05:00:00-05:00", datetime(2019, 9, 23, 5, tzinfo=tz(-5))),
    ("2019-09-23T05:00:00+0530", datetime(2019, 9, 23, 5, tzinfo=tz(5, 30))),
    ("2019-09-20 15:10:52 +00:00", datetime(2019, 9, 20, 15, 10, 52, tzinfo=UTC)),
    ("2005-01-20T12Z", datetime(2005, 1, 20, 12, tzinfo=UTC)),          # hour only
    ("2005-01-20T1230+01", datetime(2005, 1, 20, 12, 30, tzinfo=tz(1))),
    # sscanf("%2u%2u%2u") reads "12 +01" as 12, "+0", "1": 12:00:01
    ("2005-01-20T12 +01", datetime(2005, 1, 20, 12, 0, 1, tzinfo=tz(1))),
    ("2005-01-20T24:00:00Z", datetime(2005, 1, 21, tzinfo=UTC)),       # end of day
    ("2004-366T24:00Z", datetime(2005, 1, 1, tzinfo=UTC)),
    ("2005-01-20 12:00 junk", datetime(2005, 1, 20, 12, tzinfo=UTC)),  # junk zone is UTC
    ("epoch", datetime(1970, 1, 1, tzinfo=UTC)),
])
def test_parse_datetime(text, expected, local):
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_time_without_zone_is_local_time(local):
    assert parse_datetime("2014-05-07 00:28:00") == datetime(2014, 5, 7, 0, 28, tzinfo=tz(2))
    assert parse_datetime("2005-020T12:30").utcoffset() == timedelta(hours=2)
    local(0)
    assert parse_datetime("2014-05-07 00:28:00") == datetime(2014, 5, 7, 0, 28, tzinfo=UTC)


def test_local_offset_sign_slip_for_negative_half_hours(local):
    # Pacemaker rebuilds -03:30 as -3h + 30m = -02:30
    local(-(3 * 3600 + 1800))
    assert parse_datetime("2020-01-01 12:00").utcoffset() == -timedelta(hours=2, minutes=30)
    local(3 * 3600 + 1800)
    assert parse_datetime("2020-01-01 12:00").utcoffset() == timedelta(hours=3, minutes=30)


def test_time_alone_is_on_todays_local_date(local):
    now = datetime(2020, 6, 16, 23, 30, tzinfo=UTC).timestamp()   # 01:30 local next day
    assert parse_datetime("T12:00", now=now) == datetime(2020, 6, 17, 12, tzinfo=tz(2))
    assert parse_datetime("12:00:00Z", now=now) == datetime(2020, 6, 17, 12, tzinfo=UTC)


@pytest.mark.parametrize("text", [
    "", None, "2005", "abc", "2005-13-01", "2005-00-10", "2005-02-29", "2005-04-31",
    "0000-01-01", "2005-000", "2005-366", "2005-W53-1", "2005-W00-1", "2005-W01-8",
    "2005-01-20T25:00", "2005-01-20T24:01", "2005-01-20T12:60", "2005-01-20T12:00:60",
    "2005-01-20T12:00+25:00", "2005-01-20Tnoon",
])
def test_parse_datetime_rejects(text):
    with pytest.raises(DateError):
        parse_datetime(text)


def test_years_beyond_9999_are_dates_for_pacemaker_but_not_for_datetime():
    assert parse_crm_time("12005-01-01").years == 12005
    with pytest.raises(DateError):
        parse_datetime("12005-01-01")


# ------------------------------------------------------------ durations ----

@pytest.mark.parametrize("text, fields", [
    ("P1Y2M3DT4H5M6S", (1, 2, 3, 4 * 3600 + 5 * 60 + 6)),
    ("PT10M", (0, 0, 0, 600)),
    ("P10S", (0, 0, 0, 10)),              # no T needed for seconds
    ("P2M", (0, 2, 0, 0)),                # M before T: months
    ("P1W2D", (0, 0, 9, 0)),
    ("PT1H30M", (0, 0, 0, 5400)),
    ("P1YT1H/2005-001", (1, 0, 0, 3600)),  # stops at '/'
    ("PT1M trailing", (0, 0, 0, 60)),      # ...and at white space
    ("P-1D", (0, 0, -1, 0)),
])
def test_parse_duration(text, fields):
    parsed = parse_duration(text)
    assert (parsed.years, parsed.months, parsed.days, parsed.seconds) == fields
    assert parsed.duration


@pytest.mark.parametrize("text", ["", None, "P", "P ", "1D", "PT", "PT0S", "P1", "P1X",
                                  "P1.5D", "PTS", "p1d", "P99999999999S"])
def test_parse_duration_rejects(text):
    with pytest.raises(DateError):
        parse_duration(text)


@pytest.mark.parametrize("text, seconds", [
    ("PT10M", 600), ("PT1H", 3600), ("P10S", 10),
    # Pacemaker 3.0.2 counts whole days and years one short and months as 30 days
    ("P1D", 0), ("P2D", 86400), ("P1W", 6 * 86400), ("P1M", 30 * 86400), ("P1Y", 0),
    ("P2Y", 365 * 86400), ("P1DT1S", 1),
])
def test_duration_seconds_as_pacemaker_counts(text, seconds):
    assert duration_seconds(parse_duration(text)) == seconds


START = CrmTime.from_datetime(datetime(2004, 2, 29, 12, tzinfo=UTC))


@pytest.mark.parametrize("fields, expected", [
    ({"years": "1"}, datetime(2005, 3, 1, 12, tzinfo=UTC)),     # keeps the ordinal day
    ({"months": "1"}, datetime(2004, 3, 29, 12, tzinfo=UTC)),
    ({"months": "12"}, datetime(2005, 2, 28, 12, tzinfo=UTC)),  # day clipped
    ({"months": "-1"}, datetime(2004, 1, 29, 12, tzinfo=UTC)),
    ({"weeks": "2"}, datetime(2004, 3, 14, 12, tzinfo=UTC)),
    ({"days": "366"}, datetime(2005, 3, 1, 12, tzinfo=UTC)),
    ({"hours": "12"}, datetime(2004, 3, 1, tzinfo=UTC)),
    ({"minutes": "-720"}, datetime(2004, 2, 29, tzinfo=UTC)),
    ({"seconds": "86400"}, datetime(2004, 3, 1, 12, tzinfo=UTC)),
    ({"years": "1", "months": "1", "days": "1"}, datetime(2005, 4, 2, 12, tzinfo=UTC)),
    ({"days": "0", "hours": "1x"}, datetime(2004, 2, 29, 13, tzinfo=UTC)),  # strtoll
    ({}, datetime(2004, 2, 29, 12, tzinfo=UTC)),
])
def test_duration_element_fields(fields, expected):
    assert apply_duration_fields(START, fields).to_datetime() == expected


@pytest.mark.parametrize("fields", [{"days": "abc"}, {"hours": ""}, {"years": "99999999999"}])
def test_duration_element_rejects_bad_fields(fields):
    assert apply_duration_fields(START, fields) is None


def test_month_addition_clips_the_day():
    jan31 = datetime(2005, 1, 31, tzinfo=UTC)
    assert add_duration(jan31, parse_duration("P1M")) == datetime(2005, 2, 28, tzinfo=UTC)
    assert subtract_duration(datetime(2005, 3, 31, tzinfo=UTC),
                             parse_duration("P1M")) == datetime(2005, 2, 28, tzinfo=UTC)


def test_adding_a_second_to_the_last_second_gives_24_00_of_the_same_day():
    last = CrmTime.from_datetime(datetime(2005, 1, 20, 23, 59, 59, tzinfo=UTC))
    later = last.add_seconds(1)
    assert (later.years, later.days, later.seconds) == (2005, 20, 86400)
    midnight = CrmTime.from_datetime(datetime(2005, 1, 21, tzinfo=UTC))
    assert later.compare(midnight) < 0          # field-wise, as crm_time_compare
    assert later.to_datetime() == midnight.to_datetime()   # same instant


def test_compare_converts_to_utc():
    a = parse_crm_time("2019-09-23 05:00:00 -05:00")
    b = parse_crm_time("2019-09-23 10:00:00Z")
    assert a.compare(b) == 0
    assert parse_crm_time("2019-09-23 05:00:01 -05:00").compare(b) == 1


# Far enough from year 1 that a duration of up to ~8.3 years stays representable.
aware = st.datetimes(min_value=datetime(10, 1, 1), max_value=datetime(9990, 1, 1),
                     timezones=st.sampled_from([UTC, tz(-5), tz(5, 30), tz(14)])
                     ).map(lambda d: d.replace(microsecond=0))
day_second_durations = st.builds(
    lambda d, s: CrmTime(days=d, seconds=s, duration=True),
    st.integers(min_value=-3000, max_value=3000), st.integers(min_value=-10**6, max_value=10**6))


@given(aware, day_second_durations)
def test_add_then_subtract_days_and_seconds_round_trips(when, amount):
    there = add_duration(when, amount)
    assert there - when == timedelta(days=amount.days, seconds=amount.seconds)
    assert subtract_duration(there, amount) == when


@given(aware)
def test_crm_time_round_trips_datetimes(when):
    assert CrmTime.from_datetime(when).to_datetime() == when
    assert to_epoch(when) == int(when.timestamp())
    assert parse_datetime(format_datetime(when)) == when


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_calendar_views_match_the_iso_calendar(day):
    t = CrmTime.from_datetime(datetime(day.year, day.month, day.day))
    assert t.gregorian() == (day.year, day.month, day.day)
    assert t.isoweek() == tuple(day.isocalendar())
    assert t.ordinal() == (day.year, day.timetuple().tm_yday)


@given(st.integers(min_value=-(10**10), max_value=10**11),
       st.integers(min_value=-12 * 3600, max_value=14 * 3600).map(lambda s: s - s % 60))
def test_epoch_round_trip(seconds, offset):
    when = from_epoch(seconds, offset)
    assert when.utcoffset() == timedelta(seconds=offset)
    assert to_epoch(when) == seconds


@pytest.mark.parametrize("text, start, end", [
    ("2005-001/2005-020", datetime(2005, 1, 1, tzinfo=UTC), datetime(2005, 1, 20, tzinfo=UTC)),
    ("2005-001/P1M", datetime(2005, 1, 1, tzinfo=UTC), datetime(2005, 2, 1, tzinfo=UTC)),
    ("P1D/2005-03-01", datetime(2005, 2, 28, tzinfo=UTC), datetime(2005, 3, 1, tzinfo=UTC)),
    ("2005-01-01T00:00:00Z/PT1H", datetime(2005, 1, 1, tzinfo=UTC),
     datetime(2005, 1, 1, 1, tzinfo=UTC)),
    ("PT1H", datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 1, 1, tzinfo=UTC)),
])
def test_parse_period(text, start, end, local):
    local(0)
    now = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    assert parse_period(text, now=now) == (start, end)


@pytest.mark.parametrize("text", ["", None, "2005-001", "P1D/P2D", "2005-001/bogus",
                                  "bogus/2005-001", "2005-001/P"])
def test_parse_period_rejects(text):
    with pytest.raises(DateError):
        parse_period(text)


# ------------------------------------------------------------ date_spec ----

def at(*args, zone=UTC) -> datetime:
    return datetime(*args, tzinfo=zone)


@pytest.mark.parametrize("fields, when, result", [
    ({"hours": "9-16"}, at(2024, 3, 4, 16, 59, 59), "ok"),     # 16 runs to 16:59:59
    ({"hours": "9-16"}, at(2024, 3, 4, 17, 0, 0), "after"),
    ({"hours": "9-16"}, at(2024, 3, 4, 8, 59, 59), "before"),
    ({"hours": "9-16", "weekdays": "1-5"}, at(2024, 3, 8, 12), "ok"),     # a Friday
    ({"hours": "9-16", "weekdays": "1-5"}, at(2024, 3, 9, 12), "after"),  # a Saturday
    ({"weekdays": "7"}, at(2024, 3, 10, 12), "ok"),                       # a Sunday
    ({"years": "2005"}, at(2005, 12, 31, 23, 59, 59), "ok"),
    ({"years": "2005"}, at(2006, 1, 1), "after"),
    ({"years": "2005-"}, at(2999, 1, 1), "ok"),
    ({"years": "-2005"}, at(1999, 1, 1), "ok"),
    ({"months": "2"}, at(2004, 2, 29), "ok"),
    ({"monthdays": "29-31"}, at(2004, 2, 29), "ok"),
    ({"monthdays": "1-28"}, at(2004, 2, 29), "after"),
    ({"yeardays": "366"}, at(2004, 12, 31), "ok"),
    ({"yeardays": "366"}, at(2005, 12, 31), "before"),
    ({"minutes": "0-29", "seconds": "30"}, at(2024, 1, 1, 5, 29, 30), "ok"),
    ({"weekyears": "2009", "weeks": "1"}, at(2008, 12, 29), "ok"),        # ISO week year
    ({"weekyears": "2008"}, at(2008, 12, 29), "after"),
    ({"weeks": "53"}, at(2010, 1, 3), "ok"),
    ({"moon": "0"}, at(2024, 1, 1), "ok"),      # dropped in Pacemaker 3.0: ignored
    ({}, at(2024, 1, 1), "ok"),
    ({"hours": "abc"}, at(2024, 1, 1), "invalid"),
    ({"hours": "9-16", "years": "1-2-3"}, at(2024, 1, 1, 12), "invalid"),
    ({"years": "2000", "hours": "abc"}, at(2024, 1, 1), "after"),  # checked in order
])
def test_date_spec(fields, when, result):
    assert check_date_spec(fields, CrmTime.from_datetime(when)) == result
    assert date_spec_matches(fields, when) == (result == "ok")


def test_date_spec_reads_the_time_in_its_own_offset():
    when = at(2019, 9, 23, 5, zone=tz(-5))      # 10:00 UTC
    assert date_spec_matches({"hours": "5"}, when)
    assert not date_spec_matches({"hours": "5"}, when.astimezone(UTC))


@pytest.mark.parametrize("text, bounds", [
    ("9-16", (9, 16)), ("5", (5, 5)), ("5-", (5, -1)), ("-5", (-1, 5)), (" 5", (5, 5)),
    ("5- 9", (5, 9)), ("", None), (None, None), ("-", None), ("a-5", None), ("5-a", None),
    ("5 ", None), ("1-2-3", None), ("5 - 9", None),
])
def test_parse_range(text, bounds):
    assert parse_range(text) == bounds


def test_moon_phase_is_still_computable():
    assert 0 <= dates.moon_phase(at(2024, 1, 11)) <= 7


# ------------------------------------------------------------ intervals ----

@pytest.mark.parametrize("text, result", [
    (None, (0, True)),
    ("10", (10_000, True)), ("10s", (10_000, True)), ("10sec", (10_000, True)),
    (" 10 s ", (10_000, True)), ("1m", (60_000, True)), ("2min", (120_000, True)),
    ("500ms", (500, True)), ("500msec", (500, True)), ("1500us", (1, True)),
    ("1h", (3_600_000, True)), ("2hr", (7_200_000, True)), ("1.5s", (1_000, True)),
    ("10 minutes", (600_000, True)), ("5S", (5_000, True)), ("0", (0, True)),
    ("PT1M", (60_000, True)), ("P10S", (10_000, True)), ("PT1H30M", (5_400_000, True)),
    ("P2D", (86_400_000, True)), ("P1D", (0, True)),
    ("P1Y2M3DT4H5M6S", (4_294_967_000, True)),   # capped at G_MAXUINT/1000 seconds
    ("99999999999", (2**32 - 1, True)),           # capped at G_MAXUINT
    ("abc", (0, False)), ("", (0, False)), ("-5", (0, False)), ("10x", (0, False)),
    ("5d", (0, False)), ("PT0S", (0, False)), ("Pfoo", (0, False)), ("PT-5S", (0, False)),
    ("p1m", (0, False)),
])
def test_parse_interval_spec(text, result):
    assert parse_interval_spec(text) == result
    assert parse_interval_ms(text) == result[0]


def test_parse_ms():
    assert parse_ms("20s") == 20_000
    assert parse_ms(None) is None
    assert parse_ms("-1") is None
    assert parse_ms("9" * 30) == 2**63 - 1


# -------------------------------------------------------------- display ----

def test_format_datetime_prints_utc_with_z():
    assert format_datetime(at(2020, 6, 16, 19, 23, 21)) == "2020-06-16 19:23:21Z"
    assert format_datetime(at(2020, 6, 16, 14, 23, 21, zone=tz(-5))) == "2020-06-16 19:23:21Z"
    assert format_datetime(at(999, 1, 2, 3, 4, 5)) == "0999-01-02 03:04:05Z"
    assert format_datetime(datetime(2020, 6, 16, 19, 23, 21)) == "2020-06-16 19:23:21Z"


def test_execution_date_is_read_in_local_time(local):
    assert format_datetime(from_epoch(1569258000, 0)) == "2019-09-23 17:00:00Z"
    when = from_epoch(1569258000)        # local offset +02:00
    assert when == at(2019, 9, 23, 19, zone=tz(2))
    assert format_datetime(when) == "2019-09-23 17:00:00Z"
