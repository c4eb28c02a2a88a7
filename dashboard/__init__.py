"""ganzoo's Streamlit dashboard (import name ``ganzoo_dashboard``)."""
