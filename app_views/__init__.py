"""The Streamlit app's views: widgets and session state over drafter's public API.

text         wording and escaping shared by every view (no widgets)
engine       the sidebar's settings, one Drafter per configuration, the status box
downloads    download buttons and the files one draft offers
draft_one    the "Draft one follow-up" tab
batch_items  an event batch's rows, review table and exports (no widgets)
event_batch  the "Event batch" tab
"""
