"""Newsdesk: cited answers over a news archive."""
