"""A progress bar per table while seeding, and rows per second at the end."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

BAR = 30


@dataclass
class TableProgress:
    total: int
    rows: int = 0
    seconds: float = 0.0


@dataclass
class Progress:
    """One line per table. On a terminal the block is redrawn in place; elsewhere (a log, a
    test) each table gets one line when its last rows are in."""

    totals: dict[str, int]
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    tables: dict[str, TableProgress] = field(init=False)
    started: float = field(default_factory=time.perf_counter)
    _drawn: int = 0
    _logged: int = 0

    def __post_init__(self) -> None:
        self.tables = {name: TableProgress(total) for name, total in self.totals.items()}
        self._tty = self.stream.isatty()
        self._width = max(len(name) for name in self.totals)

    def add(self, table: str, rows: int, seconds: float) -> None:
        entry = self.tables[table]
        entry.rows += rows
        entry.seconds += seconds

    def _line(self, name: str, entry: TableProgress) -> str:
        rate = entry.rows / entry.seconds if entry.seconds else 0.0
        if entry.total:
            share = min(entry.rows / entry.total, 1.0)
            bar = "#" * int(BAR * share) + "." * (BAR - int(BAR * share))
            return f"{name:<{self._width}} [{bar}] {entry.rows:>9,}/{entry.total:,} {rate:>9,.0f}/s"
        return f"{name:<{self._width}} [{'?' * BAR}] {entry.rows:>9,} {rate:>9,.0f}/s"

    def draw(self) -> None:
        if not self._tty:
            self._log_step()
            return
        if self._drawn:
            self.stream.write(f"\x1b[{self._drawn}F")
        for name, entry in self.tables.items():
            self.stream.write("\x1b[2K" + self._line(name, entry) + "\n")
        self._drawn = len(self.tables)
        self.stream.flush()

    def _log_step(self) -> None:
        # Off a terminal: one line at every tenth of the rows whose count is known.
        known = [e for e in self.tables.values() if e.total]
        share = sum(min(e.rows, e.total) for e in known) / max(sum(e.total for e in known), 1)
        step = int(share * 10)
        if step > self._logged:
            self._logged = step
            elapsed = time.perf_counter() - self.started
            self.stream.write(f"{step * 10:>3}% of the rows in {elapsed:.0f} s\n")
            self.stream.flush()

    def finish(self) -> str:
        """Prints the final state and returns the summary line (rows, seconds, rows/s)."""
        if self._tty:
            self.draw()
        else:
            for name, entry in self.tables.items():
                self.stream.write(self._line(name, entry) + "\n")
        elapsed = time.perf_counter() - self.started
        rows = sum(entry.rows for entry in self.tables.values())
        summary = f"{rows:,} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s overall)"
        self.stream.write(summary + "\n")
        self.stream.flush()
        return summary
