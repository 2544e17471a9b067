"""Follow-up Drafter: the Streamlit front end (widgets and session state only).

Run with `make run` or `streamlit run app.py`. Helpers live in drafter/ui_helpers.py.
"""

from __future__ import annotations

import logging
import time

import streamlit as st

import app_people  # the People and Due view
from drafter import CHANNELS, ConfigError, DrafterError, DraftRequest, InputError, Settings
from drafter import ui_helpers as ui
from drafter.export import message_text

logger = logging.getLogger("drafter.app")

st.set_page_config(page_title="Follow-up Drafter", page_icon="✉️", layout="wide")
ss = st.session_state

# --- settings and the drafting engine -------------------------------------------------------


def init_state() -> None:
    for key, value in ui.session_defaults().items():
        ss.setdefault(key, value)
    ss.setdefault("f_sender", ss.sender_name)
    ss.setdefault("f_channel", ss.default_channel)


def _sender_changed() -> None:
    ss.f_sender = ss.sender_name


def _channel_changed() -> None:
    ss.f_channel = ss.default_channel


def sidebar() -> Settings | None:
    with st.sidebar:
        st.header("Settings")
        st.radio("Backend", list(ui.BACKEND_LABELS), format_func=ui.BACKEND_LABELS.get, key="backend")
        if ss.backend == "openai":
            st.text_input("Base URL", key="base_url", placeholder="https://api.openai.com/v1")
            st.text_input("Model", key="model_name", placeholder="gpt-4o-mini")
            st.text_input(
                "API key",
                key="api_key",
                type="password",
                help="Kept for this browser session only: never saved, never logged.",
            )
        st.selectbox(
            "Default channel",
            CHANNELS,
            format_func=ui.CHANNEL_LABELS.get,
            key="default_channel",
            on_change=_channel_changed,
        )
        st.text_input("Your name", key="sender_name", on_change=_sender_changed, help="Signs every message.")
        try:
            settings = ui.build_settings(ss.backend, ss.base_url, ss.model_name, ss.api_key)
        except ConfigError as exc:
            st.error(ui.md_escape(exc))
            return None
        return settings


def model_caption(settings: Settings | None) -> None:
    """At the end of the run, so it shows the state after any drafting in this run."""
    with st.sidebar:
        engine = get_engine(settings) if settings is not None else None
        if engine is not None:
            state = "ready" if engine.ready else "loads on the first draft"
            st.caption(
                ui.md_escape(f"Model: {engine.drafter.backend_name} · {engine.drafter.model_name} ({state})")
            )


@st.cache_resource(show_spinner=False, max_entries=4)
def _engine(fingerprint: str, _settings: Settings) -> ui.Engine:
    from drafter import Drafter

    return ui.Engine(Drafter(_settings))


def get_engine(settings: Settings) -> ui.Engine | None:
    try:
        return _engine(ui.settings_fingerprint(settings), settings)
    except Exception as exc:
        st.error(ui.md_escape(ui.describe_error(exc)))
        return None


def run_drafts(engine: ui.Engine, label: str, work) -> bool:
    """Warm the model up (saying so the first time), then run `work` under a status box.

    A failure closes the box and shows one st.error below it, never a traceback.
    """
    error: Exception | None = None
    with st.status(label, expanded=False) as status:
        try:
            if not engine.ready:
                loading = "Loading the model (first run only: about 20 seconds)…"
                if engine.drafter.backend_name != "embedded":
                    loading = "Loading the guidance (first run only)…"
                status.update(label=loading)
                engine.warm_up()
                status.update(label=label)
            started = time.perf_counter()
            work()
        except Exception as exc:
            if not isinstance(exc, DrafterError):
                logger.exception("drafting failed")
            error = exc
            status.update(label="Drafting failed", state="error")
        else:
            status.update(label=f"Done in {time.perf_counter() - started:.0f} s", state="complete")
    if error is not None:
        st.error(ui.md_escape(ui.describe_error(error)))
        return False
    return True


# --- draft one ------------------------------------------------------------------------------


def _submit_form() -> None:
    ss.sender_name = ss.f_sender
    result = ui.make_request(**{field: ss[f"f_{field}"] for field in ui.FORM_FIELDS})
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
        st.radio("Channel", CHANNELS, format_func=ui.CHANNEL_LABELS.get, key="f_channel", horizontal=True)
        st.text_area(
            "Notes",
            key="f_notes",
            height=220,
            placeholder="What you talked about, anything you promised, what you'd like to happen next…",
        )
        c1, c2 = st.columns(2)
        c1.selectbox("Next step", ui.NEXT_STEP_CHOICES, format_func=ui.next_step_label, key="f_next_step")
        c2.text_input("Your name", key="f_sender", help="Remembered for this session.")
        st.form_submit_button("Draft follow-up", type="primary", on_click=_submit_form, key="draft_submit")
    for message in ss.get("form_errors", []):
        st.error(ui.md_escape(message))


def process_pending(settings: Settings) -> None:
    request = ss.get("pending")
    if request is None:
        return
    ss.pending = None
    engine = get_engine(settings)
    if engine is None:
        return
    result = {}

    def work() -> None:
        result["draft"] = engine.drafter.draft(request)

    if run_drafts(engine, "Drafting your follow-up…", work):
        draft = result["draft"]
        ss.draft, ss.request = draft, request
        ss.subject_edit, ss.body_edit = draft.subject, draft.body


def show_draft() -> None:
    draft, request = ss.get("draft"), ss.get("request")
    if draft is None or request is None:
        st.info("Your draft appears here: fill in the form and press **Draft follow-up**.")
        return
    draft = ui.with_edits(draft, ss.get("subject_edit"), ss.get("body_edit"))
    contact = request.contact
    st.subheader(f"Follow-up to {ui.md_escape(contact.name)}")
    st.caption(
        f"{ui.CHANNEL_LABELS[draft.channel]} · next step: {ui.KIND_LABELS[draft.next_step_type]} · "
        f"{ui.md_escape(draft.backend)} {ui.md_escape(draft.model)} · {draft.seconds:.0f} s"
    )
    if draft.channel == "email":
        st.text_input("Subject", key="subject_edit")
    st.text_area("Message", key="body_edit", height=230)
    st.info(
        f"Follow up {ui.md_escape(draft.follow_up_when)}: reminder on "
        f"**{ui.friendly_date(draft.follow_up_date)}**",
        icon=":material/event:",
    )
    actions(draft, request)
    rubric(draft)
    next_steps(draft)
    passages(draft)


def actions(draft, request: DraftRequest) -> None:
    row = st.container(horizontal=True)
    with row.popover("Copy", icon=":material/content_copy:"):
        st.caption("Use the copy icon at the top right of the text.")
        st.code(message_text(draft), language=None, wrap_lines=True)
    downloads = ui.draft_downloads(draft, request, ss.sender_name)
    download(row, downloads[0])
    link = ui.mail_link(draft, request)
    if link:
        row.link_button("Open in mail app", link, icon=":material/send:")
    for item in downloads[1:]:
        download(row, item)
    app_people.remember_button(row, draft, request)


def download(container, item: ui.Download) -> None:
    container.download_button(
        item.label,
        item.data,
        file_name=item.file_name,
        mime=item.mime,
        on_click="ignore",
        icon=item.icon,
        key=item.key,
        disabled=item.disabled,
    )


def rubric(draft) -> None:
    failed = [c for c in draft.checks if not c.passed]
    title = "Checks: all passed" if not failed else f"Checks: {len(failed)} to look at"
    with st.expander(
        title, expanded=bool(failed), icon=":material/task_alt:" if not failed else ":material/warning:"
    ):
        for check in draft.checks:
            mark = ":green[:material/check_circle:]" if check.passed else ":orange[:material/error:]"
            st.markdown(f"{mark} {ui.md_escape(check.label)}")
            if not check.passed and check.message:
                st.caption(ui.md_escape(check.message))
        for warning in draft.warnings:
            if not any(c.message == warning for c in failed):
                st.caption(ui.md_escape(warning))


def next_steps(draft) -> None:
    if not draft.options:
        return
    st.markdown("**Suggested next steps**")
    for index, option in enumerate(draft.options):
        with st.container(border=True):
            current = option.type == draft.next_step_type
            head = f"**{ui.KIND_LABELS[option.type]}**" + (" · in this draft" if current else "")
            st.markdown(head)
            st.markdown(ui.md_escape(option.text))
            if option.why:
                st.caption(f"Why: {ui.md_escape(option.why)}")
            if option.guidance_id:
                st.caption(f"Guidance: {ui.md_escape(option.guidance_id)}")
            if not current:
                st.button(
                    "Redraft with this",
                    key=f"option_{index}",
                    on_click=_choose_option,
                    args=(option.type,),
                    icon=":material/refresh:",
                )


def passages(draft) -> None:
    if not draft.passages:
        return
    with st.expander(f"Guidance used ({len(draft.passages)})", icon=":material/menu_book:"):
        for passage in draft.passages:
            where = " · ".join(x for x in (passage.title, passage.section) if x)
            st.markdown(f"**{ui.md_escape(where or passage.id)}**")
            st.caption(f"{ui.md_escape(passage.source)} · {ui.md_escape(passage.id)}")
            st.text(passage.text)


def draft_page(settings: Settings | None) -> None:
    left, right = st.columns([5, 6], gap="large")
    with left:
        draft_form()
    with right:
        if settings is not None:
            process_pending(settings)
        show_draft()


# --- event batch ----------------------------------------------------------------------------


def load_upload(upload) -> None:
    """Read a newly uploaded file into batch items (once per upload)."""
    if upload is None or ss.get("batch_file") == upload.file_id:
        return
    ss.batch_file, ss.batch_error, ss.batch_items = upload.file_id, "", []
    try:
        ss.batch_items = ui.read_upload(upload.name, upload.getvalue(), ss.sender_name)
    except InputError as exc:
        ss.batch_error = str(exc)
        return
    ss.batch_name = upload.name
    ss.review_version += 1


def editor_key() -> str:
    return f"review_{ss.review_version}"


def run_rows(settings: Settings, items: list[ui.BatchItem], label: str) -> None:
    engine = get_engine(settings)
    if engine is None or not items:
        return
    bar = st.progress(0.0, text=f"0 of {len(items)} rows drafted")
    live = st.empty()

    def work() -> None:
        started = time.perf_counter()
        for done, item in enumerate(items, start=1):
            ui.draft_item(engine.drafter, item)
            left = (time.perf_counter() - started) / done * (len(items) - done)
            tail = f" · about {left:.0f} s left" if done < len(items) else ""
            bar.progress(done / len(items), text=f"{done} of {len(items)} rows drafted{tail}")
            live.dataframe(
                ui.review_frame([i for i in items[:done]])[["status", "row", "name", "subject", "warnings"]],
                hide_index=True,
            )

    run_drafts(engine, label, work)
    live.empty()
    ss.review_version += 1


def batch_page(settings: Settings | None) -> None:
    st.markdown(ui.BATCH_HELP)
    c1, c2 = st.columns([4, 1], vertical_alignment="center")
    upload = c1.file_uploader("Contacts file", type=["csv", "jsonl"], key="batch_upload")
    download(
        c2,
        ui.Download("dl_template", "CSV template", ui.template_csv(), "follow-up-template.csv", "text/csv"),
    )
    load_upload(upload)
    if ss.get("batch_error"):
        st.error(ui.md_escape(ss.batch_error))
    items: list[ui.BatchItem] = ss.batch_items
    if not items:
        return
    state = ss.get(editor_key())
    if state:
        ui.apply_edits(items, state.get("edited_rows", {}))
    bad = [i for i in items if i.request is None]
    st.markdown(
        f"**{ui.plural(len(items), 'row')}** from {ui.md_escape(ss.get('batch_name', 'the file'))}: "
        f"{len(items) - len(bad)} usable, {len(bad)} can't be used."
    )
    if bad:
        title = f"{ui.plural(len(bad), 'row')} can't be used (the others still run)"
        with st.expander(title, expanded=True, icon=":material/warning:"):
            for item in bad:
                st.text(f"Row {item.row}: {item.error}")
    buttons = st.container(horizontal=True)
    action, ss.batch_action = ss.get("batch_action"), None
    if action and settings is not None:
        chosen = [i for i in items if (i.redo if action == "regenerate" else i.runnable and i.draft is None)]
        verb = "Regenerating" if action == "regenerate" else "Drafting"
        run_rows(settings, chosen, f"{verb} {ui.plural(len(chosen), 'row')}…")
        st.success(ui.batch_summary(chosen))
    todo = [i for i in items if i.runnable and i.draft is None]
    redo = [i for i in items if i.redo]
    buttons.button(
        f"Draft all ({ui.plural(len(todo), 'row')})" if todo else "All rows drafted",
        type="primary",
        disabled=not todo or settings is None,
        key="draft_all",
        on_click=_set_action,
        args=("draft_all",),
    )
    buttons.button(
        f"Regenerate checked rows ({len(redo)})",
        disabled=not redo or settings is None,
        key="regenerate",
        on_click=_set_action,
        args=("regenerate",),
    )
    buttons.button("Approve rows without warnings", key="approve_ok", on_click=_approve, args=(True,))
    buttons.button("Approve all drafted", key="approve_all", on_click=_approve, args=(False,))
    review_table(items)
    read_in_full(items)
    exports(items)


def _set_action(action: str) -> None:
    ss.batch_action = action


def _approve(only_ok: bool) -> None:
    items = ss.batch_items
    ui.apply_edits(items, (ss.get(editor_key()) or {}).get("edited_rows", {}))
    for item in items:
        item.approved = item.approved or (item.status == "ok" if only_ok else item.draft is not None)
    ss.review_version += 1


def review_table(items: list[ui.BatchItem]) -> None:
    st.data_editor(
        ui.review_frame(items),
        key=editor_key(),
        hide_index=True,
        disabled=[c for c in ui.REVIEW_COLUMNS if c not in ui.EDITABLE_COLUMNS],
        column_config=ui.review_column_config(st.column_config),
    )


def read_in_full(items: list[ui.BatchItem]) -> None:
    shown = {i.row: i for i in items if i.draft is not None or i.error}
    if not shown:
        return
    with st.expander("Read a row in full", icon=":material/article:"):
        row = st.selectbox("Row", list(shown), format_func=lambda r: ui.row_label(shown[r]), key="read_row")
        item = shown.get(row)
        if item is None:
            return
        if item.draft is not None:
            st.text(
                f"Subject: {item.draft.subject}\n\n{item.draft.body}"
                if item.draft.subject
                else item.draft.body
            )
        for line in [item.error] if item.error else item.draft.warnings if item.draft else []:
            st.caption(ui.md_escape(line))


def exports(items: list[ui.BatchItem]) -> None:
    files, caption = ui.batch_downloads(items, ss.sender_name)
    st.markdown("**Export**")
    st.caption(caption)
    row = st.container(horizontal=True)
    for item in files:
        download(row, item)


# --- page -----------------------------------------------------------------------------------

init_state()
settings = sidebar()
st.title("Follow-up Drafter")
st.markdown(ui.INTRO)
one, batch, people = st.tabs(
    [
        ":material/edit_note: Draft one follow-up",
        ":material/groups: Event batch",
        ":material/group: People and due",
    ]
)
with one:
    draft_page(settings)
with batch:
    batch_page(settings)
with people:
    app_people.people_page(settings, get_engine, run_drafts)
model_caption(settings)
