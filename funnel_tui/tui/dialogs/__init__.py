"""What opens over a screen: questions (confirm, choose, type, a clash, a date) and the help."""
