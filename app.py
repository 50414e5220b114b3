"""Newsdesk in the browser (Streamlit). Renders only; the logic lives in `rag/`."""

import streamlit as st

st.set_page_config(page_title="Newsdesk", page_icon="🗞️")
st.title("Newsdesk")
st.write("Ask questions about your news archive. The chat arrives with the cited-answers work.")
