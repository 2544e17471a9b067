"""The People and Due view of the Streamlit app (widgets only; the rules live in drafter.memory).

    people_page(settings, get_engine, run_drafts)    the tab: what is due, second touches, people
    remember_button(container, draft, request)       on a first draft: keep it in the memory

The memory's database follows the environment (DRAFTER_DATA_DIR, DRAFTER_DATABASE_URL), the
same for the CLI, the service and the app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from app_views import text as ui
from drafter import DrafterError, DraftRequest, Settings
from drafter.memory import DueEntry, Memory, PersonCard
from drafter.models import Draft

ss = st.session_state

LEVELS = {  # how the due list colours an entry
    "maximum": (":red-badge[past the maximum gap]", "red"),
    "late": (":orange-badge[late]", "orange"),
    "ideal": (":blue-badge[past the ideal gap]", "blue"),
    "upcoming": (":gray-badge[coming up]", "gray"),
}
KINDS = {
    "deliver": "Deliver my promise",
    "ask_after": "Ask after their promise",
    "nudge": "Nudge: no reply yet",
    "rhythm": "Keep in touch",
}


def _memory() -> Memory:
    return Memory(Settings.from_env())


def _key(entry: DueEntry) -> str:
    return f"{entry.kind}-{entry.item_id or 0}-{entry.draft_id or 0}-{entry.person_id}"


def remember_button(container: Any, draft: Draft, request: DraftRequest) -> None:
    """Keep the person, the conversation and this draft (approved) in the memory."""
    if container.button("Keep in memory", icon=":material/person_add:", key="remember_draft"):
        try:
            memory = _memory()
            contact = request.contact
            card = PersonCard(name=contact.name, email=contact.email, company=contact.company)
            conversation, items = memory.log_conversation(
                card, request.notes, on=dt.date.today(), where=contact.where_met
            )
            saved = memory.save_draft(conversation.person_id, draft, conversation_id=conversation.id)
        except DrafterError as exc:
            st.error(ui.md_escape(exc))
            return
        st.success(
            f"Kept {ui.md_escape(contact.name)} with {len(items)} promises noted. Mark draft {saved.id} "
            "sent in **People and due** once you send it.",
            icon=":material/check:",
        )


def remember_rows_button(container: Any, rows: list[tuple[DraftRequest, Any]]) -> None:
    """Keep an event batch's approved rows: people, conversations and approved drafts."""
    label = f"Keep approved rows in memory ({len(rows)})"
    if container.button(label, icon=":material/group_add:", key="remember_rows", disabled=not rows):
        try:
            saved = _memory().approve_rows(rows, on=dt.date.today())
        except DrafterError as exc:
            st.error(ui.md_escape(exc))
            return
        st.success(
            f"Kept {len(saved)} people with their conversations and drafts. Mark each draft sent in "
            "**People and due** once you send it.",
            icon=":material/check:",
        )


def _due_section(
    memory: Memory,
    today: dt.date,
    get_engine: Callable[[Settings], Any],
    run_drafts: Callable[..., bool],
    settings: Settings | None,
) -> None:
    st.subheader("Due")
    horizon = st.number_input("Also show what falls due in the next … days", 0, 365, 0, key="due_horizon")
    entries = memory.due(today, horizon=int(horizon))
    if not entries:
        st.info("Nothing is due.", icon=":material/done_all:")
    for entry in entries:
        badge, _ = LEVELS[entry.level]
        with st.container(border=True, key=f"due-{_key(entry)}"):
            st.markdown(f"{badge} **{ui.md_escape(KINDS[entry.kind])}** · {ui.md_escape(entry.line())}")
            if entry.kind == "rhythm":
                continue
            notes = st.text_input("What to add (a link, what you are sending)", key=f"notes-{_key(entry)}")
            if st.button("Draft the second touch", key=f"second-{_key(entry)}", icon=":material/reply:"):
                _draft_second(memory, entry, notes, get_engine, run_drafts, settings)
    st.download_button(
        "Digest .ics",
        memory.digest_ics(today, horizon=int(horizon)),
        file_name=f"follow-ups-due-{today}.ics",
        mime="text/calendar",
        icon=":material/event:",
        key="dl_digest",
        on_click="ignore",
    )
    st.download_button(
        "Keep-in-touch .ics",
        memory.cadence_ics(today),
        file_name="keep-in-touch.ics",
        mime="text/calendar",
        icon=":material/event_repeat:",
        key="dl_cadences",
        on_click="ignore",
    )


def _draft_second(
    memory: Memory,
    entry: DueEntry,
    notes: str,
    get_engine: Callable[[Settings], Any],
    run_drafts: Callable[..., bool],
    settings: Settings | None,
) -> None:
    engine = get_engine(settings) if settings is not None else None
    if engine is None:
        st.error("Choose a working model in the sidebar first.")
        return
    nudge = entry.kind == "nudge"
    result: dict[str, Any] = {}

    def work() -> None:
        result["saved"], result["draft"] = memory.draft_second_touch(
            engine.drafter,
            item_id=None if nudge else entry.item_id,
            draft_id=entry.draft_id if nudge else None,
            notes=notes,
            sender=ss.get("sender_name", ""),
        )

    if run_drafts(engine, "Drafting the second touch…", work):
        ss.second_touch = (result["saved"].id, result["draft"])


def _second_touch(memory: Memory, today: dt.date) -> None:
    found = ss.get("second_touch")
    if not found:
        return
    draft_id, draft = found
    with st.container(border=True, key="second-touch"):
        st.subheader("Second touch")
        if draft.subject:
            st.markdown(f"**Subject:** {ui.md_escape(draft.subject)}")
        st.code(draft.body, language=None, wrap_lines=True)
        row = st.container(horizontal=True)
        row.download_button(
            "Download .eml (threaded)",
            memory.eml(draft_id, sender=ss.get("sender_name", "")),
            file_name=f"second-touch-{draft_id}.eml",
            mime="message/rfc822",
            icon=":material/mail:",
            key="dl_second_eml",
            on_click="ignore",
        )
        if row.button("Mark sent", key="second-sent", icon=":material/send:"):
            memory.mark_sent(draft_id, on=today)
            ss.second_touch = None
            st.rerun()


def _people_section(memory: Memory, today: dt.date) -> None:
    st.subheader("People")
    upload = st.file_uploader(
        "Import LinkedIn Connections.csv or a .vcf", type=["csv", "vcf"], key="people_file"
    )
    if upload is not None and st.button("Import", key="people_import", icon=":material/upload:"):
        try:
            result = memory.import_file(upload.getvalue(), upload.name)
            st.success(f"Imported {result.added + result.updated} people: {result.added} new.")
        except DrafterError as exc:
            st.error(ui.md_escape(exc))
    people = memory.people()
    if not people:
        st.info("No one yet: keep a draft in memory, or import your contacts.")
        return
    st.dataframe(
        [
            {"Name": p.name, "Email": p.email, "Company": p.company, "Last touch": p.last_touch}
            for p in people
        ],
        hide_index=True,
        key="people_table",
    )
    st.download_button(
        "Export vCards",
        memory.export_vcards(),
        file_name="contacts.vcf",
        mime="text/vcard",
        icon=":material/contacts:",
        key="dl_vcards",
        on_click="ignore",
    )
    names = {p.id: p.name for p in people}
    picked: int | None = st.selectbox(
        "Person", list(names), format_func=lambda i: names[i], key="people_choice"
    )
    choice = picked if picked is not None else people[0].id
    detail = memory.person(choice)
    for draft in detail.drafts:
        with st.container(border=True, key=f"draft-{draft.id}"):
            st.markdown(
                f"Draft {draft.id} · {draft.kind} · **{draft.status}** · "
                f"{ui.md_escape(draft.subject or draft.next_step)}"
            )
            if draft.status == "approved" and st.button(
                "Mark sent", key=f"sent-{draft.id}", icon=":material/send:"
            ):
                memory.mark_sent(draft.id, on=today)
                st.rerun()
    for item in detail.items:
        st.markdown(
            f"- {ui.md_escape(item.owner)} · {ui.md_escape(item.status)} · due {item.due_on} · "
            f"{ui.md_escape(item.text)}"
        )
    row = st.container(horizontal=True)
    if row.button("They replied", key="people_reply", icon=":material/mark_email_read:"):
        memory.reply(choice, on=today)
        st.rerun()
    if row.button("Log a touch", key="people_touch", icon=":material/handshake:"):
        memory.log_touch(choice, on=today, kind="note")
        st.rerun()
    with st.expander("Forget this person"):
        st.caption("Deletes them with every conversation, draft, promise and touch. This cannot be undone.")
        if st.checkbox("I understand", key="people_forget_ok") and st.button("Forget", key="people_forget"):
            memory.forget(choice)
            st.rerun()


def people_page(
    settings: Settings | None, get_engine: Callable[[Settings], Any], run_drafts: Callable[..., bool]
) -> None:
    memory, today = _memory(), dt.date.today()
    try:
        _due_section(memory, today, get_engine, run_drafts, settings)
        _second_touch(memory, today)
        _people_section(memory, today)
    except DrafterError as exc:
        st.error(ui.md_escape(exc))
