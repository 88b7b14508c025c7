"""Interchange with the offices' own tools: Excel 台账 in and out, CSV, and iCalendar.

- `tabular`: spreadsheets (xlsx, csv) → plain rows of cell values, merged cells filled in.
- `columns`: the header words offices use (序号, 任务名称, 责任单位 …) → ledger fields.
- `xlsx_import`: rows → draft tasks with one report line per row that cannot come in.
- `writer`: draft tasks → ledger-file text, new files or appended in the file's own style.
- `export`: a ledger as of a date → an xlsx workbook (or CSV) an office sends upward.
- `ics`: open deadlines and milestones → an RFC 5545 calendar with alarms.

Each is a function over plain data; only the commands read and write files.
"""
