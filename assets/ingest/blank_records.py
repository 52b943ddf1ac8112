"""Blank records: lines where every cell is empty, skipped the same way in every reader.

A record is blank when every cell is null or only whitespace once full-width characters are
folded (the full-width space U+3000 is the only full-width character that folds to blank, and
it is whitespace already). Such a record is neither loaded nor quarantined: spreadsheets and
exports leave them after the data (trailing newlines, `,,,,` lines, formatted empty rows), and
they carry nothing to check. The audit counts them (`audit.source_files.rows_skipped_blank`).
Every reader hands its records to `drop_blank_records` (through `file_ingest.check_records`);
the xlsx reader alone drops rows with no cell value at all as it reads (formatting can extend
a sheet by a million such rows), and counts them: blank by any definition.

Records keep their own numbers when blank ones are skipped: a record after a blank line has
the number it would have had without the skip. CSV numbers are record indices (header = 0)
with blank records counted, which is the physical line for every file without a newline
inside a quoted value; xlsx numbers are sheet rows (header row = 0).
"""

from __future__ import annotations

import polars as pl


def blank_cell_expr(column: str) -> pl.Expr:
    """Null, or only whitespace (str.strip_chars strips Unicode whitespace, U+3000 included)."""
    cell = pl.col(column)
    return cell.is_null() | (cell.str.strip_chars() == "")


def drop_blank_records(
    text: pl.DataFrame, numbers: pl.Series
) -> tuple[pl.DataFrame, pl.Series, int]:
    """`text` (all-string records) and their `numbers` without the blank records, and how
    many were dropped. Only rows whose first cell is blank are examined cell by cell, so a
    file with no blank record costs one pass over one column."""
    if not text.width or not text.height:
        return text, numbers, 0
    first = text.columns[0]
    if not text.select(blank_cell_expr(first).any()).item():
        return text, numbers, 0
    blank = text.select(pl.all_horizontal(blank_cell_expr(c) for c in text.columns)).to_series()
    skipped = int(blank.sum())
    if not skipped:
        return text, numbers, 0
    return text.filter(~blank), numbers.filter(~blank), skipped
