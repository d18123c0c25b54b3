"""Development tools of skilljar-async (never imported by the library)."""
