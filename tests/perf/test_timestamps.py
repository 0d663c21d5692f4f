"""The fast timestamp formatter shows exactly what the strftime one showed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from conduit.models import iso, utcnow


def strftime_iso(moment: datetime) -> str:
    """The formatter ``iso`` replaced (kept here as the reference)."""
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


# Years from 1000 on: below that glibc's %Y does not pad to four digits (not ISO 8601 at all),
# while isoformat does; no stored timestamp is that old.
MOMENTS = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31))


@settings(max_examples=2000, deadline=None)
@given(MOMENTS)
def test_it_formats_every_naive_moment_like_strftime(moment: datetime) -> None:
    assert iso(moment) == strftime_iso(moment)


@settings(max_examples=500, deadline=None)
@given(MOMENTS, st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_it_shows_an_aware_moment_by_its_fields_like_strftime(
    moment: datetime, minutes: int
) -> None:
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    assert iso(aware) == strftime_iso(aware)


def test_it_truncates_to_milliseconds_and_ends_in_z() -> None:
    assert iso(datetime(2016, 2, 18, 3, 22, 56, 637999)) == "2016-02-18T03:22:56.637Z"
    assert iso(datetime(2016, 2, 18, 3, 22, 56)) == "2016-02-18T03:22:56.000Z"
    assert iso(datetime(2016, 2, 18, 3, 22, 56, 999, tzinfo=UTC)) == "2016-02-18T03:22:56.000Z"


def test_it_round_trips_what_utcnow_stores() -> None:
    now = utcnow()
    assert datetime.fromisoformat(iso(now)[:-1]) == now
