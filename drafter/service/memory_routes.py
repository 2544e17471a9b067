"""The contact memory over HTTP: /v1/contacts and /v1/due (the same operations as the CLI).

    GET    /v1/contacts?q=&tag=                       people (name, email, company, last touch...)
    POST   /v1/contacts                               add a person
    POST   /v1/contacts/import                        LinkedIn Connections.csv or .vcf (upload or raw body)
    GET    /v1/contacts/export?version=3.0            every person as a .vcf
    GET    /v1/contacts/{person}                      one person: conversations, drafts, ledger
    DELETE /v1/contacts/{person}                      forget them: every row about them is deleted
    POST   /v1/contacts/{person}/conversations        log a conversation (its promises enter the ledger)
    POST   /v1/contacts/{person}/touches              log any touch (resets the rhythm)
    POST   /v1/contacts/{person}/replies              they replied (cancels the nudge)
    POST   /v1/contacts/{person}/drafts               keep an approved draft
    POST   /v1/contacts/{person}/rhythm               keep-in-touch gaps for the person
    POST   /v1/contacts/drafts/{id}/sent              mark sent: its next step becomes my promise
    POST   /v1/contacts/drafts/{id}/discard
    GET    /v1/contacts/drafts/{id}/eml               the draft as .eml, threaded to what it follows
    POST   /v1/contacts/items/{id}                    a ledger item done, dropped, deferred or open
    GET    /v1/due?today=&horizon=&nudge_after=       the due list
    GET    /v1/due/digest.ics, /v1/due/cadences.ics   one digest event; recurring keep-in-touch events
    POST   /v1/due/second-touch                       draft the second touch for a due entry

{person} is an id, an email or a name (URL-encoded). Every route needs the service's token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile

from ..memory import DraftOut, DueEntry, ImportResult, ItemOut, NotFound, PersonCard, PersonOut
from ..memory.actions import Memory, PersonDetail
from ..models import Draft
from .auth import Caller, require_token
from .errors import ApiError, error_schema
from .state import ServiceState, get_state

router = APIRouter(prefix="/v1", tags=["memory"])
ERRORS: dict[int | str, dict[str, Any]] = {status: error_schema() for status in (401, 403, 413, 422)}
IMPORT_TYPES = {"text/csv": "Connections.csv", "text/vcard": "contacts.vcf", "text/x-vcard": "contacts.vcf"}

Auth = Annotated[Caller, Depends(require_token)]


def memory(state: Annotated[ServiceState, Depends(get_state)]) -> Iterator[Memory]:
    """The memory on the service's database; an unknown person, draft or item is a 404."""
    try:
        yield Memory(state.settings)
    except NotFound as exc:
        raise ApiError(404, " ".join(str(exc).split())) from None


Mem = Annotated[Memory, Depends(memory)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ConversationIn(_Strict):
    notes: str = Field(min_length=1, max_length=6000, description="Your notes (kept in the local database).")
    on: dt.date | None = Field(None, description="When you talked (default today).")
    where: str = Field("", max_length=255)


class ConversationReply(BaseModel):
    conversation_id: int
    items: list[ItemOut]


class TouchIn(_Strict):
    on: dt.date | None = None
    kind: str = Field("note", description="conversation, sent, reply, call, meeting, message or note.")
    summary: str = Field("", max_length=2000)


class SavedDraftIn(_Strict):
    channel: Literal["email", "linkedin", "text"] = "email"
    subject: str = ""
    body: str = Field(min_length=1, max_length=20000)
    next_step_type: Literal["ask", "offer", "joint_venture", "keep_in_touch"] = "keep_in_touch"
    next_step: str = ""
    follow_up_when: str = ""
    follow_up_date: dt.date
    conversation_id: int | None = None
    sender_email: str = ""


class SentIn(_Strict):
    on: dt.date | None = None
    message_id: str = Field("", description="The Message-ID your mail client gave it, if it changed it.")


class ItemIn(_Strict):
    status: Literal["open", "done", "deferred", "dropped"]
    until: dt.date | None = Field(None, description="For deferred: the day it comes back.")


class RhythmIn(_Strict):
    ideal_days: int = Field(ge=1, le=3650)
    max_days: int = Field(ge=1, le=3650)


class SecondTouchIn(_Strict):
    item_id: int | None = Field(None, description="A promise from the due list (deliver or ask after).")
    draft_id: int | None = Field(None, description="A sent message with no reply (nudge).")
    notes: str = Field("", max_length=6000, description="What to add: a link, what you are sending.")
    sender_name: str = ""
    sender_email: str = ""


class SecondTouchOut(BaseModel):
    saved: DraftOut
    draft: Draft


def _today(value: dt.date | None) -> dt.date:
    return value or dt.date.today()


@router.get("/contacts", response_model=list[PersonOut], responses=ERRORS)
def list_contacts(caller: Auth, mem: Mem, q: str = "", tag: str = "") -> list[PersonOut]:
    """Everyone in the memory (objects with at least name and email)."""
    return mem.people(q, tag)


@router.post("/contacts", response_model=PersonOut, status_code=201, responses=ERRORS)
def add_contact(card: PersonCard, caller: Auth, mem: Mem) -> PersonOut:
    """Add a person (or fill in blanks of the one with this email or name)."""
    return mem.add(card)


@router.post("/contacts/import", response_model=ImportResult, responses=ERRORS)
async def import_contacts(request: Request, caller: Auth, mem: Mem) -> ImportResult:
    """LinkedIn's Connections.csv or a .vcf: a form field `file`, or the raw body (text/csv, text/vcard)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=4)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(422, "Send the file as a form field named 'file'.", field="file")
        data, name = await upload.read(), upload.filename or ""
    elif kind in IMPORT_TYPES:
        data, name = await request.body(), IMPORT_TYPES[kind]
    else:
        raise ApiError(
            415,
            "Upload Connections.csv or a .vcf as multipart/form-data (field 'file'), "
            "or send it as text/csv or text/vcard.",
            field="Content-Type",
        )
    return await run_in_threadpool(mem.import_file, data, name)


@router.get("/contacts/export", responses=ERRORS)
def export_contacts(caller: Auth, mem: Mem, version: Literal["3.0", "4.0"] = "3.0") -> Response:
    """Everyone as vCards."""
    return Response(
        mem.export_vcards(version),
        media_type="text/vcard; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contacts.vcf"'},
    )


@router.post("/contacts/drafts/{draft_id}/sent", response_model=list[ItemOut], responses=ERRORS)
def mark_sent(draft_id: int, body: SentIn, caller: Auth, mem: Mem) -> list[ItemOut]:
    """You sent it: its next step becomes your open promise; a deliver draft closes its promise."""
    return mem.mark_sent(draft_id, on=_today(body.on), message_id=body.message_id)


@router.post("/contacts/drafts/{draft_id}/discard", status_code=204, responses=ERRORS)
def discard(draft_id: int, caller: Auth, mem: Mem) -> Response:
    mem.discard(draft_id)
    return Response(status_code=204)


@router.get("/contacts/drafts/{draft_id}/eml", responses=ERRORS)
def draft_eml(
    draft_id: int,
    caller: Auth,
    mem: Mem,
    state: Annotated[ServiceState, Depends(get_state)],
    sender_email: str = "",
) -> Response:
    """The draft as an unsent .eml with its Message-ID, threaded (In-Reply-To, References)."""
    data = mem.eml(draft_id, sender=state.settings.sender_name, sender_email=sender_email)
    return Response(
        data,
        media_type="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="draft-{draft_id}.eml"'},
    )


@router.post("/contacts/items/{item_id}", response_model=ItemOut, responses=ERRORS)
def set_item(item_id: int, body: ItemIn, caller: Auth, mem: Mem) -> ItemOut:
    return mem.set_item(item_id, body.status, on=dt.date.today(), until=body.until)


@router.get("/contacts/{person}", response_model=PersonDetail, responses=ERRORS)
def show_contact(person: str, caller: Auth, mem: Mem) -> PersonDetail:
    return mem.person(person)


@router.delete("/contacts/{person}", responses=ERRORS)
def forget_contact(person: str, caller: Auth, mem: Mem) -> dict[str, dict[str, int]]:
    """Forget the person: every conversation, draft, promise, touch and rhythm of theirs is deleted."""
    return {"deleted": mem.forget(person)}


@router.post(
    "/contacts/{person}/conversations", response_model=ConversationReply, status_code=201, responses=ERRORS
)
def log_conversation(person: str, body: ConversationIn, caller: Auth, mem: Mem) -> ConversationReply:
    conversation, items = mem.log_conversation(person, body.notes, on=_today(body.on), where=body.where)
    return ConversationReply(conversation_id=conversation.id, items=items)


@router.post("/contacts/{person}/touches", status_code=204, responses=ERRORS)
def log_touch(person: str, body: TouchIn, caller: Auth, mem: Mem) -> Response:
    mem.log_touch(person, on=_today(body.on), kind=body.kind, summary=body.summary)
    return Response(status_code=204)


@router.post("/contacts/{person}/replies", status_code=204, responses=ERRORS)
def log_reply(person: str, body: TouchIn, caller: Auth, mem: Mem) -> Response:
    mem.reply(person, on=_today(body.on), summary=body.summary)
    return Response(status_code=204)


@router.post("/contacts/{person}/drafts", response_model=DraftOut, status_code=201, responses=ERRORS)
def save_draft(person: str, body: SavedDraftIn, caller: Auth, mem: Mem) -> DraftOut:
    """Keep an approved draft (email drafts get a Message-ID for threading)."""
    draft = Draft.model_validate(body.model_dump(exclude={"conversation_id", "sender_email"}))
    return mem.save_draft(person, draft, conversation_id=body.conversation_id, sender_email=body.sender_email)


@router.post("/contacts/{person}/rhythm", status_code=204, responses=ERRORS)
def set_rhythm(person: str, body: RhythmIn, caller: Auth, mem: Mem) -> Response:
    mem.set_rhythm(body.ideal_days, body.max_days, key=person)
    return Response(status_code=204)


@router.get("/due", response_model=list[DueEntry], responses=ERRORS)
def due(
    caller: Auth,
    mem: Mem,
    today: dt.date | None = None,
    horizon: Annotated[int, Query(ge=0, le=365)] = 0,
    nudge_after: Annotated[int, Query(ge=1, le=365)] = 7,
) -> list[DueEntry]:
    """What is owed, to whom, and how late; who is past their keep-in-touch gap."""
    return mem.due(_today(today), horizon=horizon, nudge_after=nudge_after)


@router.get("/due/digest.ics", responses=ERRORS)
def due_digest(
    caller: Auth, mem: Mem, today: dt.date | None = None, horizon: Annotated[int, Query(ge=0, le=365)] = 0
) -> Response:
    """One calendar event listing everything due, instead of a reminder each."""
    return Response(
        mem.digest_ics(_today(today), horizon=horizon),
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="follow-ups-due.ics"'},
    )


@router.get("/due/cadences.ics", responses=ERRORS)
def due_cadences(caller: Auth, mem: Mem, today: dt.date | None = None) -> Response:
    """Keep-in-touch rhythms as recurring events (RRULE) with an alarm each."""
    return Response(
        mem.cadence_ics(_today(today)),
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="keep-in-touch.ics"'},
    )


@router.post("/due/second-touch", response_model=SecondTouchOut, responses={**ERRORS, 503: error_schema()})
def draft_second_touch(
    body: SecondTouchIn, caller: Auth, mem: Mem, state: Annotated[ServiceState, Depends(get_state)]
) -> SecondTouchOut:
    """Draft the second touch for a due entry (deliver a promise, ask after theirs, or nudge) and keep it."""
    saved, draft = mem.draft_second_touch(
        state.drafter,
        item_id=body.item_id,
        draft_id=body.draft_id,
        notes=body.notes,
        sender=body.sender_name or state.settings.sender_name,
        sender_email=body.sender_email,
    )
    return SecondTouchOut(saved=saved, draft=draft)
