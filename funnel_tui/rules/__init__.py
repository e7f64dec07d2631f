"""The rules: every write funnel makes, one transaction each with its history (capture,
edits, qualification, the promotion gate, deals, activities, undo). The TUI and the CLI
both call these; nothing here imports the UI."""
