"""The Streamlit app through AppTest, with the fake model at the one model seam.

Each page is driven the way a person would: fill the form and draft, pick another next step,
upload a file, draft all, review and export, and meet the messages for bad files.
"""

from __future__ import annotations

import datetime as dt
import email
import io
import json
import zipfile
from email import policy
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app_views import batch_items, downloads, engine
from app_views.text import friendly_date, md_escape
from drafter.errors import BackendError
from drafter.models import Draft

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
FIXTURES = Path(__file__).parent / "fixtures" / "ui"
TIMEOUT = 180  # the first draft builds the guidance index with real embeddings


def reply(messages) -> dict:
    """A plausible model reply; mentions whoever the prompt is about."""
    prompt = "\n".join(str(m.content) for m in messages)
    topic = "trail running" if "trail" in prompt else "the reading group"
    return {
        "subject": "Great to meet you",
        "recall": f"I enjoyed our talk about {topic}",
        "next_step": "I'll send you the link next week",
        "guidance": [],
    }


@pytest.fixture
def model(fake_model):
    fake_model.default = reply
    return fake_model


@pytest.fixture
def app(model) -> AppTest:
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    """Everything shown as markdown, captions, text, alerts: for 'is it on the page' checks."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.text]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def fill_form(at: AppTest, **values: str) -> AppTest:
    fields = {
        "name": "f_name",
        "email": "f_email",
        "company": "f_company",
        "where": "f_where_met",
        "notes": "f_notes",
        "sender": "f_sender",
    }
    for field, value in values.items():
        if field == "notes":
            at.text_area(key="f_notes").input(value)
        elif field == "channel":
            at.radio(key="f_channel").set_value(value)
        elif field == "next_step":
            at.selectbox(key="f_next_step").set_value(value)
        else:
            at.text_input(key=fields[field]).input(value)
    return at


NOTES = "Talked about trail running near Portland. I said I'd send her the trail map."


def draft_one(at: AppTest, **values: str) -> AppTest:
    values = {"name": "Jane Doe", "email": "jane@example.com", "notes": NOTES, "sender": "Sam", **values}
    fill_form(at, **values)
    at.button(key="draft_submit").click()
    at.run()
    assert not at.exception, at.exception
    return at


# --- draft one --------------------------------------------------------------------------------


def test_first_page_explains_the_guidance_and_offers_both_jobs(app):
    assert app.title[0].value == "Follow-up Drafter"
    assert "Interview People" in app.markdown[0].value
    assert [tab.label for tab in app.tabs] == [
        ":material/edit_note: Draft one follow-up",
        ":material/groups: Event batch",
        ":material/group: People and due",
    ]
    assert not app.error
    assert app.radio(key="backend").value == "embedded"
    assert app.radio(key="f_channel").value == "email"
    assert app.selectbox(key="f_next_step").value == "auto"


def test_form_to_draft_shows_an_editable_draft_with_checks_options_and_actions(app, model):
    at = draft_one(app, company="Acme", where="PyCon")
    assert not at.error, [e.value for e in at.error]
    draft: Draft = at.session_state["draft"]
    assert model.calls, "the model was not asked"
    assert at.text_input(key="subject_edit").value == draft.subject
    assert at.text_area(key="body_edit").value == draft.body
    assert "Jane" in draft.body
    # The status box said what it did.
    assert at.status[0].label.startswith("Done in")
    # Rubric panel: one line per check, in plain words.
    check_lines = [
        m.value
        for m in at.markdown
        if m.value.startswith((":green[:material/check_circle:]", ":orange[:material/error:]"))
    ]
    assert len(check_lines) == len(draft.checks) > 0
    # Actions: .eml, .ics, mailto.
    labels = [b.label for b in at.download_button]
    assert "Download .eml" in labels and "Reminder (.ics)" in labels
    link = at.link_button[0].proto.url
    assert link.startswith("mailto:jane@example.com?subject=")
    assert friendly_date(draft.follow_up_date) in texts(at)
    # Suggested next steps: each non-current option can redraft.
    assert 2 <= len(draft.options) <= 3
    option_buttons = [b for b in at.button if (b.key or "").startswith("option_")]
    assert len(option_buttons) == sum(1 for o in draft.options if o.type != draft.next_step_type)
    # The sender name is remembered for the session.
    assert at.session_state["sender_name"] == "Sam"


def test_choosing_a_next_step_redrafts_with_it(app, model):
    at = draft_one(app)
    first: Draft = at.session_state["draft"]
    index, option = next((i, o) for i, o in enumerate(first.options) if o.type != first.next_step_type)
    calls = len(model.calls)
    at.button(key=f"option_{index}").click()
    at.run()
    assert not at.exception and not at.error
    second: Draft = at.session_state["draft"]
    assert at.session_state["request"].next_step_hint == option.type
    assert second.next_step_type == option.type
    assert len(model.calls) > calls
    assert at.text_area(key="body_edit").value == second.body


def test_edits_to_the_draft_are_what_gets_exported(app):
    at = draft_one(app)
    at.text_area(key="body_edit").input("Hi Jane,\n\nMy own words.\n\nBest,\nSam")
    at.run()
    assert "My own words." in at.code[0].value  # the copy box
    assert "My own words" in at.link_button[0].proto.url.replace("%20", " ")


def test_linkedin_draft_offers_copy_and_reminder_but_no_email_file(app):
    at = draft_one(app, channel="linkedin")
    draft: Draft = at.session_state["draft"]
    assert draft.channel == "linkedin" and not draft.subject
    assert [b.label for b in at.download_button if b.key in ("dl_eml", "dl_ics")] == ["Reminder (.ics)"]
    assert not at.link_button
    assert not [t for t in at.text_input if t.key == "subject_edit"]
    assert at.code[0].value == draft.body


def test_missing_name_and_notes_are_named_and_nothing_is_drafted(app, model):
    app.button(key="draft_submit").click()
    app.run()
    errors = " ".join(e.value for e in app.error)
    assert "Contact name" in errors and "Notes" in errors
    assert not model.calls
    assert "draft" not in app.session_state


def test_user_text_is_never_rendered_as_markdown_or_html(app):
    name = "**Evil** <b>Corp</b> [click](http://x.test)"
    at = draft_one(app, name=name)
    assert not at.exception
    for element in list(at.markdown) + list(at.caption):
        value = element.value
        assert "**Evil**" not in value and "[click](" not in value
    assert not any(getattr(m.proto, "allow_html", False) for m in at.markdown)


def test_html_and_script_in_notes_stay_text(app, model):
    notes = "<script>alert('x')</script> We talked about <b>sourdough</b> starters at the fair."
    at = draft_one(app, notes=notes)
    for element in list(at.markdown) + list(at.caption) + list(at.info) + list(at.error):
        assert "<script>" not in element.value and "<b>" not in element.value
    assert not any(getattr(m.proto, "allow_html", False) for m in at.markdown)
    assert "sourdough" in model.prompt_text()  # the notes reached the model, as text


def test_a_failing_backend_shows_one_clear_message(app, model):
    model.default = None
    model.queue(BackendError("The model server did not answer in 120 s: try again."))
    at = draft_one(app)
    assert [e.value for e in at.error] == [md_escape("The model server did not answer in 120 s: try again.")]
    assert at.status[0].label == "Drafting failed"
    assert not at.exception


def test_an_unexpected_error_is_one_message_not_a_traceback(app, model):
    model.default = None
    model.queue(ZeroDivisionError("boom"))
    at = draft_one(app)
    assert len(at.error) == 1 and "ZeroDivisionError" in at.error[0].value
    assert not at.exception


def test_api_key_is_a_password_field_and_never_shown(app):
    app.radio(key="backend").set_value("openai").run()
    key_field = app.text_input(key="api_key")
    assert key_field.proto.type == key_field.proto.PASSWORD
    key_field.input("sk-secret-123").run()
    assert "sk-secret-123" not in texts(app)
    settings = engine.build_settings("openai", "", "", "sk-secret-123")
    assert "sk-secret-123" not in engine.settings_fingerprint(settings)
    assert "sk-secret-123" not in repr(settings)


# --- event batch --------------------------------------------------------------------------------


def upload(at: AppTest, path: Path, mime: str = "text/csv") -> AppTest:
    at.file_uploader(key="batch_upload").upload(path.name, path.read_bytes(), mime)
    at.run()
    assert not at.exception, at.exception
    return at


def test_upload_draft_all_review_and_export(app, model):
    at = upload(app, FIXTURES / "three_rows.csv")
    items: list[batch_items.BatchItem] = at.session_state["batch_items"]
    assert [i.status for i in items] == ["pending"] * 3
    assert at.button(key="draft_all").label == "Draft all (3 rows)"
    at.button(key="draft_all").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    items = at.session_state["batch_items"]
    assert all(i.draft is not None for i in items)
    assert at.progress[0].value == 100 and at.progress[0].text.startswith("3 of 3 rows drafted")
    table = at.data_editor[0].value
    assert list(table["name"]) == ["Jane Doe", "Li Wei", "Sam Okafor"]
    assert at.button(key="draft_all").label == "All rows drafted"
    assert at.success[0].value.startswith("Finished: 3 drafted")
    # Any row can be read in full, as plain text.
    at.selectbox(key="read_row").set_value(2).run()
    assert items[1].draft.body in [t.value for t in at.text][-1]

    # Edit a body in place and approve two rows through the editor's edit state.
    key = at.data_editor[0].key
    at.session_state[key] = {
        "edited_rows": {0: {"body": "Hi Jane, edited.", "approve": True}, 2: {"approve": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    items = at.session_state["batch_items"]
    assert items[0].draft.body == "Hi Jane, edited."
    assert [i.approved for i in items] == [True, False, True]
    labels = {b.key: b for b in at.download_button}
    assert labels["dl_zip"].label == ".eml zip (1)" and not labels["dl_zip"].proto.disabled
    assert labels["dl_batch_ics"].label == "Reminders .ics (2)"

    # What the export buttons carry.
    with zipfile.ZipFile(io.BytesIO(batch_items.approved_eml_zip(items, "Sam"))) as archive:
        assert archive.namelist() == ["01-jane-doe.eml"]
        msg = email.message_from_bytes(archive.read("01-jane-doe.eml"), policy=policy.default)
        assert msg["To"].addresses[0].addr_spec == "jane@example.com"
        assert msg.get_content().strip() == "Hi Jane, edited."
    ics = batch_items.approved_ics(items).decode()
    assert ics.count("BEGIN:VEVENT") == 2
    jsonl = batch_items.rows_text(batch_items.batch_rows(items), "jsonl").decode()
    rows = [json.loads(line) for line in jsonl.splitlines()]
    assert [r["row"] for r in rows] == [1, 2, 3] and rows[0]["body"] == "Hi Jane, edited."
    header = batch_items.rows_text(batch_items.batch_rows(items), "csv").decode().splitlines()[0]
    assert header.split(",")[:3] == ["row", "name", "email"]


def test_bad_rows_are_listed_and_the_rest_still_run(app):
    at = upload(app, FIXTURES / "with_bad_row.csv")
    shown = texts(at)
    assert "Row 2:" in shown and "name is empty" in shown
    assert "Row 3:" in shown and "fax" in shown
    at.button(key="draft_all").click()
    at.run()
    statuses = [i.status for i in at.session_state["batch_items"]]
    assert statuses[1] == statuses[2] == "error"
    assert statuses[0] in ("ok", "warnings") and statuses[3] in ("ok", "warnings")
    rows = batch_items.batch_rows(at.session_state["batch_items"])
    assert [r.status for r in rows] == ["ok", "error", "error", "ok"]


def test_an_error_in_one_row_does_not_stop_the_others(app, model):
    def flaky(messages):
        if "reading group" in "\n".join(str(m.content) for m in messages):
            raise BackendError("The model server closed the connection: try again.")
        return reply(messages)

    model.default = flaky
    at = upload(app, FIXTURES / "three_rows.csv")
    at.button(key="draft_all").click()
    at.run()
    assert not at.exception
    items = at.session_state["batch_items"]
    assert [i.status != "error" for i in items] == [True, False, True]
    assert "closed the connection" in items[1].error
    assert at.button(key="draft_all").label == "Draft all (1 row)"  # the failed row can be retried


def test_regenerate_selected_rows_redrafts_only_those(app, model):
    at = upload(app, FIXTURES / "three_rows.csv")
    at.button(key="draft_all").click()
    at.run()
    before = [i.result for i in at.session_state["batch_items"]]
    key = at.data_editor[0].key
    at.session_state[key] = {"edited_rows": {1: {"redo": True}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert at.button(key="regenerate").label == "Regenerate checked rows (1)"
    calls = len(model.calls)
    at.button(key="regenerate").click()
    at.run()
    assert not at.exception
    after = [i.result for i in at.session_state["batch_items"]]
    assert len(model.calls) > calls
    assert after[0] is before[0] and after[2] is before[2]
    assert after[1] is not before[1]
    assert not any(i.redo for i in at.session_state["batch_items"])


def test_a_failed_regeneration_keeps_the_earlier_draft(app, model):
    at = upload(app, FIXTURES / "three_rows.csv")
    at.button(key="draft_all").click()
    at.run()
    before = at.session_state["batch_items"][0].result
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {0: {"redo": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    model.default = None
    model.queue(BackendError("The model server closed the connection: try again."))
    at.button(key="regenerate").click()
    at.run()
    item = at.session_state["batch_items"][0]
    assert item.result is before and item.status != "error"
    assert item.redo  # still ticked, to try again
    assert any("closed the connection" in note for note in item.notes)
    assert "closed the connection" in at.data_editor[0].value["warnings"][0]


def test_approve_rows_without_warnings_then_all(app):
    at = upload(app, FIXTURES / "with_bad_row.csv")
    at.button(key="draft_all").click()
    at.run()
    at.button(key="approve_ok").click()
    at.run()
    items = at.session_state["batch_items"]
    assert [i.approved for i in items] == [i.status == "ok" for i in items]
    at.button(key="approve_all").click()
    at.run()
    items = at.session_state["batch_items"]
    assert [i.approved for i in items] == [True, False, False, True]  # error rows cannot be approved


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing_notes.csv", (FIXTURES / "missing_notes.csv").read_bytes(), "no 'notes' column"),
        ("empty.csv", b"", "empty"),
        ("binary.csv", bytes(range(256)) * 4, "binary.csv"),
    ],
)
def test_bad_files_get_a_message_naming_the_problem(app, name, content, expected):
    app.file_uploader(key="batch_upload").upload(name, content, "text/csv")
    app.run()
    assert not app.exception
    assert len(app.error) == 1
    assert md_escape(expected) in app.error[0].value and md_escape(name) in app.error[0].value
    assert not app.data_editor


def test_user_text_in_file_errors_is_escaped(app):
    content = b"name,[click](http://e.test)\nJane,hello\n"
    app.file_uploader(key="batch_upload").upload("**loud**.csv", content, "text/csv")
    app.run()
    message = app.error[0].value
    assert "no 'notes' column" in message
    assert "[click](http" not in message and "**loud**" not in message
    assert r"\[click\](http\://e.test)" in message
    assert message.startswith(md_escape("**loud**.csv has no"))


def test_jsonl_upload_lists_the_unreadable_line(app):
    at = upload(app, FIXTURES / "contacts.jsonl", "application/jsonl")
    items = at.session_state["batch_items"]
    assert [i.status for i in items] == ["pending", "error", "pending"]
    assert "Row 2:" in texts(at)


def test_template_is_a_valid_upload(app):
    at = app
    template = batch_items.template_csv()
    at.file_uploader(key="batch_upload").upload("template.csv", template, "text/csv")
    at.run()
    assert not at.error
    assert [i.status for i in at.session_state["batch_items"]] == ["pending", "pending"]


# --- helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("**bold**", r"\*\*bold\*\*"),
        ("[x](http://e.test)", r"\[x\](http\://e.test)"),
        ("<b>hi</b>", r"\<b\>hi\</b\>"),
        ("$5 and $6", r"\$5 and \$6"),
        ("# heading", r"\# heading"),
        ("- item", r"\- item"),
        ("12. item", r"12\. item"),
        (":red[alert] :material/home:", r"\:red\[alert\] \:material/home\:"),
        ("Jane O'Brien, PhD.\nline two", "Jane O'Brien, PhD. line two"),
    ],
)
def test_md_escape(text, shown):
    assert md_escape(text) == shown


def test_reminder_says_who_what_and_when():
    draft = Draft(
        channel="linkedin",
        body="Hi",
        next_step_type="offer",
        next_step="I'll send the\nmap.",
        follow_up_when="next week",
        follow_up_date=dt.date(2026, 12, 2),
    )
    from drafter.models import Contact

    name, day, summary = downloads.reminder(draft, Contact(name="Jane", company="Acme", email="j@e.test"))
    assert (name, day) == ("Jane", dt.date(2026, 12, 2))
    assert summary.splitlines() == [
        "Follow up with Jane (Acme)",
        "Next step: I'll send the map.",
        "You said you would be in touch next week, by LinkedIn.",
        "Email: j@e.test",
    ]


def test_settings_fingerprint_changes_with_the_key_but_does_not_hold_it():
    a = engine.build_settings("openai", "http://127.0.0.1:9/v1", "m", "key-one")
    b = engine.build_settings("openai", "http://127.0.0.1:9/v1", "m", "key-two")
    assert engine.settings_fingerprint(a) != engine.settings_fingerprint(b)
    assert engine.settings_fingerprint(a) == engine.settings_fingerprint(a.with_())


def test_views_use_only_the_public_api():
    import ast

    for path in [ROOT / "app.py", *sorted((ROOT / "app_views").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("drafter."), f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                assert all(not a.name.startswith("drafter.") for a in node.names), path.name


def test_an_upload_is_read_from_its_bytes_without_a_file(monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, **k: pytest.fail("wrote a temporary file"))
    monkeypatch.setattr(tempfile, "TemporaryDirectory", lambda *a, **k: pytest.fail("made a folder"))
    data = b"name,notes,channel\nAna,Met at PyCon,email\nAna,Met at PyCon,email\nBo,,fax\n"
    items = batch_items.read_upload("event.csv", data, "Sam")
    assert [(i.row, i.status, i.name) for i in items] == [
        (1, "pending", "Ana"),
        (2, "pending", "Ana"),
        (3, "error", "Bo"),
    ]
    assert items[0].request.sender == "Sam"
    assert items[1].warnings == ["same as row 1"]
    assert "notes are empty" in items[2].error and "unknown channel 'fax'" in items[2].error


def test_the_form_is_checked_as_a_batch_row_is():
    from app_views.draft_one import make_request

    assert make_request(name=" ", notes="") == [
        "Contact name: the name is empty: give the name of the person you met",
        "Notes: the notes are empty: write a few words about what you talked about",
    ]
    (long,) = make_request(name="Ana", notes="x" * 6001)
    assert long.startswith("Notes: the notes are 6,001 characters")
    request = make_request(name="Ana", notes="Met at PyCon", channel="text", next_step="ask", sender="Sam")
    assert (request.channel, request.next_step_hint, request.sender) == ("text", "ask", "Sam")
    assert make_request(name="Ana", notes="Met at PyCon").next_step_hint is None


def test_batch_items_are_drafted_by_the_batch_runner_and_keep_earlier_drafts():
    class Stub:
        backend_name, model_name = "stub", "stub-model"

        def __init__(self, fail: set[str]):
            self.fail = fail

        def draft(self, request):
            if request.contact.name in self.fail:
                raise BackendError("The model server closed the connection: try again.")
            return Draft(
                channel=request.channel,
                subject="Hello",
                body=f"Hi {request.contact.name}",
                next_step_type="offer",
                next_step="I'll send the map",
                follow_up_when="next week",
                follow_up_date=dt.date(2026, 12, 2),
            )

    items = batch_items.read_upload("e.csv", b"name,notes\nAna,Met at PyCon\nBo,Met at PyCon too\n,x\n")
    seen = []
    batch_items.draft_items(Stub({"Bo"}), items, lambda done, total, i: seen.append((done, total, i.row)))
    assert seen == [(1, 2, 1), (2, 2, 2)]  # rows that cannot be used are not sent to the runner
    assert [i.status for i in items] == ["ok", "error", "error"]
    assert (items[1].result.backend, items[1].result.model) == ("stub", "stub-model")  # the runner's row
    assert "closed the connection" in items[1].error
    first = items[0].result
    batch_items.draft_items(Stub({"Ana"}), [items[0]])
    assert items[0].result is first and items[0].status == "ok"
    assert items[0].warnings[-1].startswith(batch_items.REGENERATE_FAILED)
    assert [r.status for r in batch_items.batch_rows(items)] == ["ok", "error", "error"]


def test_approved_rows_are_kept_in_the_memory(app):
    from drafter.config import Settings
    from drafter.memory import Memory

    at = upload(app, FIXTURES / "with_bad_row.csv")
    assert at.button(key="remember_rows").disabled  # nothing approved yet
    at.button(key="draft_all").click()
    at.run()
    at.button(key="approve_all").click()
    at.run()
    approved = [i for i in at.session_state["batch_items"] if i.approved]
    at.button(key="remember_rows").click()
    at.run()
    assert not at.exception and not at.error
    people = Memory(Settings.from_env(), reader=None).people()
    assert sorted(p.name for p in people) == sorted(i.name for i in approved)
