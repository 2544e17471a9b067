"""Follow-up Drafter: the Streamlit front end.

Run with `make run` or `streamlit run app.py`. This page only assembles the views: they live
in app_views/ (draft one, event batch) and app_people.py (people and due), and reach the
drafter through its public API.
"""

from __future__ import annotations

import streamlit as st

import app_people  # the People and Due view
from app_views.draft_one import draft_page
from app_views.engine import get_engine, init_state, model_caption, run_drafts, sidebar
from app_views.event_batch import batch_page
from app_views.text import INTRO

st.set_page_config(page_title="Follow-up Drafter", page_icon="✉️", layout="wide")

init_state()
settings = sidebar()
st.title("Follow-up Drafter")
st.markdown(INTRO)
one, batch, people = st.tabs(
    [
        ":material/edit_note: Draft one follow-up",
        ":material/groups: Event batch",
        ":material/group: People and due",
    ]
)
with one:
    draft_page(settings, extra_actions=app_people.remember_button)
with batch:
    batch_page(settings, extra_actions=app_people.remember_rows_button)
with people:
    app_people.people_page(settings, get_engine, run_drafts)
model_caption(settings)
