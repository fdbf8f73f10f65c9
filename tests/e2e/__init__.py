"""Browser tests of the live page (pytest -m e2e), the live benchmark and the soak run."""
