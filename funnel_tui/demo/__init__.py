"""The demo database: realistic leads, deals and activities, written in bulk."""
