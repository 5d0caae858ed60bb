"""The calendar feed as iCalendar (RFC 5545): the coming appointments and plan reviews, without a word of
the case. A calendar app shows its events on a phone's lock screen and may copy them to a cloud: each says
only "Attune: appointment" or "Attune: plan review", and links to the family page, which asks for a login."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from app.services.appointments import AgendaItem

APPOINTMENT_LENGTH = timedelta(hours=1)  # a session's length is not agreed with its date: an hour blocks the time


def calendar(
    items: list[AgendaItem], *, family_url: Callable[[int], str], domain: str, zone: str, now: datetime
) -> bytes:
    """Times with a clock time in UTC (converted from the app's time zone `zone`); the others whole days.
    UIDs stay the same while the item does: the session that agreed the appointment, the plan to review."""
    cal = Calendar()
    cal.add("prodid", "-//Attune//Appointments//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Attune")
    stamp = now.astimezone(UTC)
    for item in items:
        event = Event()
        if item.is_appointment:
            event.add("uid", f"appointment-{item.ref_id}@{domain}")
            event.add("summary", "Attune: appointment")
        else:
            event.add("uid", f"plan-review-{item.ref_id}@{domain}")
            event.add("summary", "Attune: plan review")
        event.add("dtstamp", stamp)
        if item.at is not None:
            start = datetime.combine(item.on, item.at, tzinfo=ZoneInfo(zone)).astimezone(UTC)
            event.add("dtstart", start)
            event.add("dtend", start + APPOINTMENT_LENGTH)
        else:
            event.add("dtstart", item.on)
            event.add("dtend", item.on + timedelta(days=1))
        event.add("transp", "OPAQUE" if item.is_appointment else "TRANSPARENT")
        event.add("url", family_url(item.family_id))
        cal.add_component(event)
    return cal.to_ical()
