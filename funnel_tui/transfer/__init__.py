"""Leads in and out of files: CSV from spreadsheets and other CRMs, vCards from phones.

- `textfile`: what a file is (CSV, vCard, something else) and its encoding; its lines,
  streamed.
- `csvfile`, `xlsxfile`, `vcards`: rows of a CSV, of an Excel workbook's sheet, cards of
  a vCard file, as lead fields.
- `columns`: which column is which lead field, guessed from the header and changeable.
- `importer`: the import itself, batch by batch, with its report and reject file.
- `exporter`: leads out as CSV, JSON or vCard.
- `calendar_feed`: a rep's next actions out as an iCalendar file, and the one funnel
  keeps current for a calendar app to subscribe to.

No module here imports Textual: the command line and the Import screen run the same code.
"""
