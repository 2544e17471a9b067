"""The contact memory: people, conversations, drafts, the promise ledger, rhythms and the due list.

It lives in the same database as the service (SQLite in the data directory, PostgreSQL through
DRAFTER_DATABASE_URL). Every function takes a SQLAlchemy session from `open_memory`:

    with open_memory(settings) as session:
        person, _ = add_person(session, PersonCard(name="Ana Ruiz", email="ana@example.com"))
        conversation = log_conversation(session, person, today, notes, where="PyCon", reading=reading)
        row = save_draft(session, person, draft, conversation=conversation)
        mark_sent(session, row, today)               # its next step becomes my open promise
        for entry in due_list(session, today): ...   # what is owed, to whom, how late
        touch = second_touch(session, item_id=entry.item_id)   # -> DraftRequest with follow_up
        forget(session, person)

Nothing here reaches the network; notes stay in the local database.
"""

from .actions import Memory, PersonDetail
from .activity import (
    approve_rows,
    discard_draft,
    get_draft,
    get_item,
    log_conversation,
    log_touch,
    mark_sent,
    record_reply,
    save_draft,
    set_item_status,
)
from .cards import PersonCard, read_cards, read_linkedin, read_vcards, write_vcards
from .due import NUDGE_AFTER_DAYS, cadence_calendar, cadences, digest_calendar, due_list
from .ledger import LedgerEntry, entries_from_reading, promised_thing
from .people import (
    NotFound,
    add_person,
    find_person,
    forget,
    import_cards,
    last_touches,
    list_people,
    open_memory,
    person_card,
    set_rhythm,
)
from .second_touch import SecondTouch, known_person_request, save_second_touch, second_touch, thread_of
from .views import ConversationOut, DraftOut, DueEntry, ImportResult, ItemOut, PersonOut

__all__ = [
    "NUDGE_AFTER_DAYS",
    "ConversationOut",
    "DraftOut",
    "DueEntry",
    "ImportResult",
    "ItemOut",
    "LedgerEntry",
    "NotFound",
    "Memory",
    "PersonDetail",
    "PersonCard",
    "PersonOut",
    "SecondTouch",
    "add_person",
    "approve_rows",
    "cadence_calendar",
    "cadences",
    "digest_calendar",
    "discard_draft",
    "due_list",
    "entries_from_reading",
    "find_person",
    "forget",
    "get_draft",
    "get_item",
    "import_cards",
    "known_person_request",
    "last_touches",
    "list_people",
    "log_conversation",
    "log_touch",
    "mark_sent",
    "open_memory",
    "person_card",
    "promised_thing",
    "read_cards",
    "read_linkedin",
    "read_vcards",
    "record_reply",
    "save_draft",
    "save_second_touch",
    "second_touch",
    "set_item_status",
    "set_rhythm",
    "thread_of",
    "write_vcards",
]
