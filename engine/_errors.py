"""Errors the engine raises. Every message is meant for the person who keeps the ledger.

    NrrError            base of every error the engine raises
    ├── LedgerError     the ledger cannot be read, or says something impossible
    ├── QueryError      a period query is not understood, or the ledger does not cover it
    │   ├── PeriodSyntaxError   the words are not a period at all (a command-line error)
    │   └── NotInLedgerYet      the period ends after the ledger's latest month
    ├── ProfileError    a company profile value is not one the benchmarks know
    ├── FxError         an exchange rate cannot be used (not a number, zero or below, an
    │                   unreadable month), naming nrr.toml's key or the rates table's cell
    ├── CellError       one cell's value is not what its column holds (also a
    │                   ValueError); its text completes "... is not ...", and the reader turns
    │                   it into a ``LedgerError`` issue naming the cell
    └── AmountError     a customer table's money cell cannot be counted; caught inside the engine,
                        which turns it into an issue naming the cell
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from decimal import Decimal

    from engine._issues import Issue
    from engine._month import Month


class NrrError(Exception):
    """Base of every error the engine raises; its text is fit to show a user."""


class LedgerError(NrrError):
    """The ledger cannot be used; ``issues`` lists every problem found, by cell."""

    def __init__(self, issues: tuple[Issue, ...]) -> None:
        self.issues = issues
        errors = [i for i in issues if i.severity == "error"]
        shown = errors or list(issues)
        super().__init__("\n".join(str(i) for i in shown))

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "warning")


class QueryError(NrrError):
    """A period query is not understood, or asks for months the ledger does not have."""

    @property
    def reason(self) -> str:
        """What went wrong, to follow "No comparison with the period before:" (the message, unless said otherwise)."""
        return str(self)


class OutsideLedger(QueryError):
    """The period asks for months the ledger does not hold: before its first, after its latest, or in a gap. Only
    such a refusal is followed by what the ledger covers (the bot's ``period_not_covered``)."""


class BeforeTable(OutsideLedger):
    """A cohort period starting at a customer table's first month: no one's month before it. ``reason`` says so
    without the advice on where a period can start, for "No comparison with the period before: ..."."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self._reason = reason

    @property
    def reason(self) -> str:
        return self._reason


class NotInLedgerYet(OutsideLedger):
    """The period asked for ends after the ledger's latest month, ``latest`` (a table exported weeks ago)."""

    def __init__(self, message: str, latest: Month) -> None:
        super().__init__(message)
        self.latest = latest


class FxError(NrrError):
    """An exchange rate cannot be used: not a number, zero or negative, an unreadable month; the text names
    where it was written (nrr.toml's key, the rates table's cell)."""


class ProfileError(NrrError):
    """A company profile value (segment, pricing model, stage, funding) is not recognised."""


class PeriodSyntaxError(QueryError):
    """The words asked for are not a period in the grammar (``banana``, ``2026-06..2026-01``)."""


class CellError(NrrError, ValueError):
    """A cell's value cannot be read as what its column holds; ``expected`` says what would do.

    Also a ``ValueError``, as it was before it joined the engine's tree, so callers that catch
    ``ValueError`` around a parser keep working.
    """

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


class AmountError(NrrError):
    """A customer table's money cell cannot be counted: ``expected`` says what would do, or None for a
    negative ``value``. It never leaves the engine: the customer reader turns it into an issue naming the cell."""

    def __init__(self, expected: str | None, value: Decimal | None = None) -> None:
        super().__init__(expected or "a negative amount")
        self.expected, self.value = expected, value
