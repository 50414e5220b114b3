"""Newsdesk in the browser (Streamlit): `streamlit run app.py`. Renders only; the pages live in
`ui/` and the logic in `rag/`."""

import streamlit as st

from ui.pages import all_pages

st.set_page_config(page_title="Newsdesk", page_icon="🗞️", layout="centered")
st.navigation(all_pages()).run()
