"""The "Event batch" tab: upload contacts, draft them all, review, regenerate, approve, export."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from drafter import InputError, Settings

from .batch_items import (
    BATCH_HELP,
    EDITABLE_COLUMNS,
    REVIEW_COLUMNS,
    BatchItem,
    apply_edits,
    batch_downloads,
    batch_summary,
    draft_items,
    read_upload,
    review_column_config,
    review_frame,
    row_label,
    template_csv,
)
from .downloads import Download, download
from .engine import get_engine, run_drafts
from .text import md_escape, plural

ss = st.session_state


def load_upload(upload: Any) -> None:
    """Read a newly uploaded file into batch items (once per upload)."""
    if upload is None or ss.get("batch_file") == upload.file_id:
        return
    ss.batch_file, ss.batch_error, ss.batch_items = upload.file_id, "", []
    try:
        ss.batch_items = read_upload(upload.name, upload.getvalue(), ss.sender_name)
    except InputError as exc:
        ss.batch_error = str(exc)
        return
    ss.batch_name = upload.name
    ss.review_version += 1


def editor_key() -> str:
    return f"review_{ss.review_version}"


def run_rows(settings: Settings, items: list[BatchItem], label: str) -> None:
    engine = get_engine(settings)
    if engine is None or not items:
        return
    bar = st.progress(0.0, text=f"0 of {len(items)} rows drafted")
    live = st.empty()
    finished: list[BatchItem] = []
    clock = {"started": time.perf_counter()}

    def on_row(done: int, total: int, item: BatchItem) -> None:
        finished.append(item)
        left = (time.perf_counter() - clock["started"]) / done * (total - done)
        tail = f" · about {left:.0f} s left" if done < total else ""
        bar.progress(done / total, text=f"{done} of {total} rows drafted{tail}")
        live.dataframe(
            review_frame(finished)[["status", "row", "name", "subject", "warnings"]], hide_index=True
        )

    def work() -> None:
        clock["started"] = time.perf_counter()  # after the model has loaded
        draft_items(engine.drafter, items, on_row)

    run_drafts(engine, label, work)
    live.empty()
    ss.review_version += 1


# Actions the app adds under the exports, given the approved rows (request, output row).
RowActions = Callable[[Any, list[tuple[Any, Any]]], None]


def batch_page(settings: Settings | None, extra_actions: RowActions | None = None) -> None:
    st.markdown(BATCH_HELP)
    c1, c2 = st.columns([4, 1], vertical_alignment="center")
    upload = c1.file_uploader("Contacts file", type=["csv", "jsonl"], key="batch_upload")
    download(
        c2, Download("dl_template", "CSV template", template_csv(), "follow-up-template.csv", "text/csv")
    )
    load_upload(upload)
    if ss.get("batch_error"):
        st.error(md_escape(ss.batch_error))
    items: list[BatchItem] = ss.batch_items
    if not items:
        return
    state = ss.get(editor_key())
    if state:
        apply_edits(items, state.get("edited_rows", {}))
    bad = [i for i in items if not i.runnable]
    st.markdown(
        f"**{plural(len(items), 'row')}** from {md_escape(ss.get('batch_name', 'the file'))}: "
        f"{len(items) - len(bad)} usable, {len(bad)} can't be used."
    )
    if bad:
        title = f"{plural(len(bad), 'row')} can't be used (the others still run)"
        with st.expander(title, expanded=True, icon=":material/warning:"):
            for item in bad:
                st.text(f"Row {item.row}: {item.error}")
    buttons = st.container(horizontal=True)
    action, ss.batch_action = ss.get("batch_action"), None
    if action and settings is not None:
        chosen = [i for i in items if (i.redo if action == "regenerate" else i.runnable and not i.drafted)]
        verb = "Regenerating" if action == "regenerate" else "Drafting"
        run_rows(settings, chosen, f"{verb} {plural(len(chosen), 'row')}…")
        st.success(batch_summary(chosen))
    todo = [i for i in items if i.runnable and not i.drafted]
    redo = [i for i in items if i.redo]
    buttons.button(
        f"Draft all ({plural(len(todo), 'row')})" if todo else "All rows drafted",
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
    if extra_actions is not None:
        approved = [
            (i.request, i.result)
            for i in items
            if i.approved and i.result is not None and i.status != "error"
        ]
        extra_actions(st.container(), approved)


def _set_action(action: str) -> None:
    ss.batch_action = action


def _approve(only_ok: bool) -> None:
    items: list[BatchItem] = ss.batch_items
    apply_edits(items, (ss.get(editor_key()) or {}).get("edited_rows", {}))
    for item in items:
        item.approved = item.approved or (item.status == "ok" if only_ok else item.drafted)
    ss.review_version += 1


def review_table(items: list[BatchItem]) -> None:
    st.data_editor(
        review_frame(items),
        key=editor_key(),
        hide_index=True,
        disabled=[c for c in REVIEW_COLUMNS if c not in EDITABLE_COLUMNS],
        column_config=review_column_config(st.column_config),
    )


def read_in_full(items: list[BatchItem]) -> None:
    shown = {i.row: i for i in items if i.drafted or i.error}
    if not shown:
        return
    with st.expander("Read a row in full", icon=":material/article:"):
        number = st.selectbox("Row", list(shown), format_func=lambda r: row_label(shown[r]), key="read_row")
        item = shown.get(number)
        if item is None:
            return
        row = item.result if item.drafted else None
        if row is not None:
            st.text(f"Subject: {row.subject}\n\n{row.body}" if row.subject else row.body)
        for line in item.warnings:
            st.caption(md_escape(line))


def exports(items: list[BatchItem]) -> None:
    files, caption = batch_downloads(items, ss.sender_name)
    st.markdown("**Export**")
    st.caption(caption)
    row = st.container(horizontal=True)
    for item in files:
        download(row, item)
