"""The "Draft one follow-up" tab: the form, the draft to edit, its checks, options and files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st

from drafter import CHANNELS, Draft, DraftRequest, Settings, build_row, message_text

from .downloads import download, draft_downloads, mail_link
from .engine import get_engine, run_drafts
from .text import (
    AUTO,
    CHANNEL_LABELS,
    KIND_LABELS,
    NEXT_STEP_CHOICES,
    friendly_date,
    md_escape,
    next_step_label,
)

ss = st.session_state

FORM_FIELDS = ("name", "email", "company", "where_met", "channel", "notes", "next_step", "sender")
FIELD_LABELS = {
    "name": "Contact name",
    "notes": "Notes",
    "email": "Email",
    "company": "Company",
    "where_met": "Where we met",
    "channel": "Channel",
    "next_step_hint": "Next step",
    "sender_name": "Your name",
}
ExtraActions = Callable[[Any, Draft, DraftRequest], None]


def form_errors(problems: Iterable[Any]) -> list[str]:
    """'Contact name: ...' lines from a row's problems (drafter.build_row's checks)."""
    lines = []
    for problem in problems:
        field = problem.field.rsplit(".", 1)[-1]
        text = problem.message.removeprefix(f"{problem.field}: ")
        label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
        lines.append(f"{label}: {text}" if label else text)
    return lines


def make_request(
    *,
    name: str,
    notes: str,
    email: str = "",
    company: str = "",
    where_met: str = "",
    channel: str = "email",
    next_step: str = AUTO,
    sender: str = "",
) -> DraftRequest | list[str]:
    """A DraftRequest from form values, checked as a batch row is, or the lines saying what to fix."""
    row = build_row(
        1,
        {
            "name": name,
            "notes": notes,
            "email": email,
            "company": company,
            "where_met": where_met,
            "channel": channel,
            "next_step_hint": "" if next_step == AUTO else next_step,
            "sender_name": sender,
        },
    )
    return row.request if row.request is not None else form_errors(row.problems)


def with_edits(draft: Draft, subject: str | None, body: str | None) -> Draft:
    """The draft with the person's edits to subject and body."""
    changes: dict[str, Any] = {}
    if subject is not None and draft.channel == "email":
        changes["subject"] = subject
    if body is not None:
        changes["body"] = body
    return draft.model_copy(update=changes) if changes else draft


def _submit_form() -> None:
    ss.sender_name = ss.f_sender
    result = make_request(**{field: ss[f"f_{field}"] for field in FORM_FIELDS})
    if isinstance(result, DraftRequest):
        ss.pending, ss.form_errors = result, []
    else:
        ss.pending, ss.form_errors = None, result


def _choose_option(kind: str) -> None:
    request = ss.get("request")
    if request is not None:
        ss.pending = request.model_copy(update={"next_step_hint": kind})


def draft_form() -> None:
    with st.form("draft_form", border=False):
        c1, c2 = st.columns(2)
        c1.text_input("Contact name", key="f_name", placeholder="Jane Doe")
        c2.text_input("Email", key="f_email", placeholder="jane@example.com")
        c1.text_input("Company", key="f_company")
        c2.text_input("Where we met", key="f_where_met", placeholder="PyCon, the Tuesday reception")
        st.radio(
            "Channel",
            list(CHANNELS),
            format_func=CHANNEL_LABELS.__getitem__,
            key="f_channel",
            horizontal=True,
        )
        st.text_area(
            "Notes",
            key="f_notes",
            height=220,
            placeholder="What you talked about, anything you promised, what you'd like to happen next…",
        )
        c1, c2 = st.columns(2)
        c1.selectbox("Next step", NEXT_STEP_CHOICES, format_func=next_step_label, key="f_next_step")
        c2.text_input("Your name", key="f_sender", help="Remembered for this session.")
        st.form_submit_button("Draft follow-up", type="primary", on_click=_submit_form, key="draft_submit")
    for message in ss.get("form_errors", []):
        st.error(md_escape(message))


def process_pending(settings: Settings) -> None:
    request = ss.get("pending")
    if request is None:
        return
    ss.pending = None
    engine = get_engine(settings)
    if engine is None:
        return
    result: dict[str, Draft] = {}

    def work() -> None:
        result["draft"] = engine.drafter.draft(request)

    if run_drafts(engine, "Drafting your follow-up…", work):
        draft = result["draft"]
        ss.draft, ss.request = draft, request
        ss.subject_edit, ss.body_edit = draft.subject, draft.body


def show_draft(extra_actions: ExtraActions | None = None) -> None:
    draft, request = ss.get("draft"), ss.get("request")
    if draft is None or request is None:
        st.info("Your draft appears here: fill in the form and press **Draft follow-up**.")
        return
    draft = with_edits(draft, ss.get("subject_edit"), ss.get("body_edit"))
    st.subheader(f"Follow-up to {md_escape(request.contact.name)}")
    st.caption(
        f"{CHANNEL_LABELS[draft.channel]} · next step: {KIND_LABELS[draft.next_step_type]} · "
        f"{md_escape(draft.backend)} {md_escape(draft.model)} · {draft.seconds:.0f} s"
    )
    if draft.channel == "email":
        st.text_input("Subject", key="subject_edit")
    st.text_area("Message", key="body_edit", height=230)
    st.info(
        f"Follow up {md_escape(draft.follow_up_when)}: reminder on **{friendly_date(draft.follow_up_date)}**",
        icon=":material/event:",
    )
    actions(draft, request, extra_actions)
    rubric(draft)
    next_steps(draft)
    passages(draft)


def actions(draft: Draft, request: DraftRequest, extra_actions: ExtraActions | None) -> None:
    row = st.container(horizontal=True)
    with row.popover("Copy", icon=":material/content_copy:"):
        st.caption("Use the copy icon at the top right of the text.")
        st.code(message_text(draft), language=None, wrap_lines=True)
    files = draft_downloads(draft, request, ss.sender_name)
    download(row, files[0])
    link = mail_link(draft, request)
    if link:
        row.link_button("Open in mail app", link, icon=":material/send:")
    for item in files[1:]:
        download(row, item)
    if extra_actions is not None:
        extra_actions(row, draft, request)


def rubric(draft: Draft) -> None:
    failed = [c for c in draft.checks if not c.passed]
    title = "Checks: all passed" if not failed else f"Checks: {len(failed)} to look at"
    icon = ":material/task_alt:" if not failed else ":material/warning:"
    with st.expander(title, expanded=bool(failed), icon=icon):
        for check in draft.checks:
            mark = ":green[:material/check_circle:]" if check.passed else ":orange[:material/error:]"
            st.markdown(f"{mark} {md_escape(check.label)}")
            if not check.passed and check.message:
                st.caption(md_escape(check.message))
        for warning in draft.warnings:
            if not any(c.message == warning for c in failed):
                st.caption(md_escape(warning))


def next_steps(draft: Draft) -> None:
    if not draft.options:
        return
    st.markdown("**Suggested next steps**")
    for index, option in enumerate(draft.options):
        with st.container(border=True):
            current = option.type == draft.next_step_type
            st.markdown(f"**{KIND_LABELS[option.type]}**" + (" · in this draft" if current else ""))
            st.markdown(md_escape(option.text))
            if option.why:
                st.caption(f"Why: {md_escape(option.why)}")
            if option.guidance_id:
                st.caption(f"Guidance: {md_escape(option.guidance_id)}")
            if not current:
                st.button(
                    "Redraft with this",
                    key=f"option_{index}",
                    on_click=_choose_option,
                    args=(option.type,),
                    icon=":material/refresh:",
                )


def passages(draft: Draft) -> None:
    if not draft.passages:
        return
    with st.expander(f"Guidance used ({len(draft.passages)})", icon=":material/menu_book:"):
        for passage in draft.passages:
            where = " · ".join(x for x in (passage.title, passage.section) if x)
            st.markdown(f"**{md_escape(where or passage.id)}**")
            st.caption(f"{md_escape(passage.source)} · {md_escape(passage.id)}")
            st.text(passage.text)


def draft_page(settings: Settings | None, extra_actions: ExtraActions | None = None) -> None:
    left, right = st.columns([5, 6], gap="large")
    with left:
        draft_form()
    with right:
        if settings is not None:
            process_pending(settings)
        show_draft(extra_actions)
