"""The vocabulary and the checks everything else uses: validators, money, dates, countries,
safe text and files. Imports no Peewee, no Textual and nothing else of funnel_tui."""
