"""Times shown in the reader's zone, with the zone named."""

from datetime import datetime
from zoneinfo import ZoneInfo

from exchange.ui import timezone as tz


def test_a_utc_time_is_shown_on_the_readers_clock_with_the_zone_named():
    moment = datetime(2026, 10, 3, 19, 5)  # naive UTC
    assert tz.local(moment, zone=ZoneInfo("America/Chicago")) == "3 Oct 2026 14:05 CDT"
    assert tz.local(moment, "%H:%M", zone=ZoneInfo("Pacific/Honolulu")) == "09:05 HST"


def test_without_a_known_zone_times_are_shown_in_utc_and_say_so():
    assert tz.local(datetime(2026, 1, 2, 3, 4), zone=None) == "2 Jan 2026 03:04 UTC"
    assert tz.local(None) == ""
