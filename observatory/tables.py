"""The shape every dataset takes, aggregated (`datasets`) or journey by journey (`opendata`):
a table with documented columns, suppression applied, and the totals of the rows shown."""

from __future__ import annotations

from dataclasses import dataclass

from .aggregates import ReportPeriod


@dataclass(frozen=True)
class Table:
    name: str
    period: ReportPeriod
    k: int
    columns: list[tuple[str, str]]  # (name, definition)
    rows: list[dict]  # suppressed figures are None
    suppressed_cells: int
    totals: dict  # of the rows shown only
    level: str = ""
