"""The exercises of the routine, their detectors, sessions and history. Knows nothing of Streamlit."""
