"""The read side: lists, search, the board, Today, the checklist, history, record text and
the reports. Never writes."""
