"""Streamlit pages of Newsdesk (rendering only)."""
