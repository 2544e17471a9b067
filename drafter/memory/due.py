"""The due list: what is owed, to whom, and how late; who is past their keep-in-touch gap.

One list, used by `drafter due`, GET /v1/due and the app's Due view, and written as one digest
.ics instead of a reminder per item. Four kinds of entry:

    deliver    my promise (or a plan we share) is due or late
    ask_after  their promise is late: a gentle ask is in order (never nagged about before)
    nudge      a sent message has had no reply for `nudge_after` days (once per message, only the
               latest message to a person, and not while I still owe them what it promised)
    rhythm     the last touch is longer ago than the ideal gap ("ideal") or the maximum ("maximum")

A person's own rhythm wins over their tags' rhythms; among tags the tightest applies. Without
any touch the clock starts when they were added (or connected on LinkedIn).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..export import Cadence, cadence_ics, digest_ics
from ..store.memory import DraftRow, LedgerItemRow, PersonRow, RhythmRow
from .people import last_touches
from .views import DueEntry, DueKind, DueLevel

__all__ = ["NUDGE_AFTER_DAYS", "cadences", "digest_calendar", "due_list", "rhythm_of"]

NUDGE_AFTER_DAYS = 7
_ORDER = {"maximum": 0, "late": 1, "ideal": 2, "upcoming": 3}


def rhythm_of(person: PersonRow, own: dict[int, RhythmRow], by_tag: dict[str, RhythmRow]) -> RhythmRow | None:
    if person.id in own:
        return own[person.id]
    tagged = [by_tag[t.casefold()] for t in person.tags or [] if t.casefold() in by_tag]
    return min(tagged, key=lambda r: (r.ideal_days, r.max_days)) if tagged else None


def _rhythms(session: Session) -> tuple[dict[int, RhythmRow], dict[str, RhythmRow]]:
    own: dict[int, RhythmRow] = {}
    by_tag: dict[str, RhythmRow] = {}
    for row in session.scalars(select(RhythmRow)):
        if row.person_id is not None:
            own[row.person_id] = row
        elif row.tag:
            by_tag[row.tag.casefold()] = row
    return own, by_tag


def _clock_start(person: PersonRow, touches: dict[int, dt.date]) -> dt.date:
    return touches.get(person.id) or person.connected_on or person.created_at.date()


def due_list(
    session: Session, today: dt.date, *, nudge_after: int = NUDGE_AFTER_DAYS, horizon: int = 0
) -> list[DueEntry]:
    """Everything due by `today + horizon` days, the most overdue first."""
    people = {p.id: p for p in session.scalars(select(PersonRow))}
    touches = last_touches(session)
    entries: list[DueEntry] = []
    limit = today + dt.timedelta(days=horizon)

    def entry(
        person: PersonRow,
        kind: DueKind,
        text: str,
        due_on: dt.date,
        *,
        level: DueLevel | None = None,
        owner: str = "me",
        item_id: int | None = None,
        draft_id: int | None = None,
    ) -> DueEntry:
        late = (today - due_on).days
        return DueEntry(
            kind=kind,
            level=level or ("late" if late >= 0 else "upcoming"),
            person_id=person.id,
            person=person.name,
            email=person.email,
            channel=person.channel,
            owner=owner,
            text=text,
            due_on=due_on,
            days_late=late,
            item_id=item_id,
            draft_id=draft_id,
            last_touch=touches.get(person.id),
        )

    items = session.scalars(
        select(LedgerItemRow).where(
            LedgerItemRow.status.in_(("open", "deferred")), LedgerItemRow.due_on <= limit
        )
    )
    for item in items:
        person = people[item.person_id]
        assert item.due_on is not None
        if item.owner == "them":
            if item.due_on >= today:  # asked after only once it is late
                continue
            entries.append(
                entry(
                    person,
                    kind="ask_after",
                    owner="them",
                    text=item.text,
                    due_on=item.due_on,
                    item_id=item.id,
                    draft_id=item.draft_id,
                )
            )
        else:
            entries.append(
                entry(
                    person,
                    kind="deliver",
                    owner=item.owner,
                    text=item.text,
                    due_on=item.due_on,
                    item_id=item.id,
                    draft_id=item.draft_id,
                )
            )

    owing = set(  # sent drafts whose promise of mine is still open, due or not
        session.scalars(
            select(LedgerItemRow.draft_id).where(
                LedgerItemRow.status.in_(("open", "deferred")),
                LedgerItemRow.owner != "them",
                LedgerItemRow.draft_id.is_not(None),
            )
        )
    )
    sent = session.scalars(
        select(DraftRow)
        .where(
            DraftRow.status == "sent",
            DraftRow.replied_on.is_(None),
            DraftRow.nudged_on.is_(None),
            DraftRow.kind != "nudge",
        )
        .order_by(DraftRow.sent_on.desc(), DraftRow.id.desc())
    )
    latest: dict[int, DraftRow] = {}
    for draft in sent:
        latest.setdefault(draft.person_id, draft)  # only the latest message to a person is nudged
    for person_id, draft in latest.items():
        person = people[person_id]
        if draft.sent_on is None or touches.get(person_id, draft.sent_on) > draft.sent_on:
            continue  # something happened since (a reply, a call, another message)
        if draft.id in owing:
            continue  # the next touch delivers what it promised
        due_on = draft.sent_on + dt.timedelta(days=nudge_after)
        if due_on <= limit:
            subject = draft.subject or draft.next_step
            entries.append(
                entry(
                    person,
                    kind="nudge",
                    text=f"no reply yet to \u201c{subject}\u201d",
                    due_on=due_on,
                    draft_id=draft.id,
                )
            )

    own, by_tag = _rhythms(session)
    for person in people.values():
        rhythm = rhythm_of(person, own, by_tag)
        if rhythm is None:
            continue
        start = _clock_start(person, touches)
        ideal_on = start + dt.timedelta(days=rhythm.ideal_days)
        max_on = start + dt.timedelta(days=rhythm.max_days)
        if ideal_on > limit:
            continue
        level: DueLevel = "maximum" if max_on <= today else "ideal" if ideal_on <= today else "upcoming"
        gap = f"every {rhythm.ideal_days} days, at most {rhythm.max_days}"
        entries.append(
            entry(person, kind="rhythm", level=level, text=f"keep in touch ({gap})", due_on=ideal_on)
        )

    entries.sort(key=lambda e: (_ORDER[e.level], -e.days_late, e.person.casefold()))
    return entries


def digest_calendar(entries: list[DueEntry], day: dt.date, now: dt.datetime | None = None) -> bytes:
    """One .ics event on `day` listing every entry, instead of a reminder per item."""
    return digest_ics(day, [e.line() for e in entries], now=now)


def cadences(session: Session, today: dt.date) -> list[Cadence]:
    """Keep-in-touch rhythms as recurring reminders, each starting at the person's next ideal touch."""
    people = list(session.scalars(select(PersonRow).order_by(PersonRow.name)))
    touches = last_touches(session)
    own, by_tag = _rhythms(session)
    out: list[Cadence] = []
    for person in people:
        rhythm = rhythm_of(person, own, by_tag)
        if rhythm is None:
            continue
        start = max(today, _clock_start(person, touches) + dt.timedelta(days=rhythm.ideal_days))
        summary = f"Every {rhythm.ideal_days} days (at most {rhythm.max_days})."
        out.append(Cadence(person.name, start, rhythm.ideal_days, summary))
    return out


def cadence_calendar(session: Session, today: dt.date, now: dt.datetime | None = None) -> bytes:
    return cadence_ics(cadences(session, today), now=now)
