"""The only place that imports Streamlit: shared connection, current user, shared widgets."""
