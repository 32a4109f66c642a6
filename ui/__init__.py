"""Streamlit/Altair helpers shared by the lesson pages (the pages stay thin views)."""
