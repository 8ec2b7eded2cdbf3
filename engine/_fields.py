"""The seven-column template's vocabulary: its fields, their headers as people see them, and the unit
(MRR or ARR) a ledger or a customer table counts in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    pass


Field = Literal["month", "start", "expansion", "churn", "downgrade", "end", "nrr", "grr"]


Unit = Literal["MRR", "ARR"]


#: The template's header for each field, as people see it (MRR wording; ARR ledgers swap the word).
FIELD_TITLES: Mapping[Field, str] = {
    "month": "Month",
    "start": "MRR (Start of Period)",
    "expansion": "Expanded MRR",
    "churn": "Churned MRR",
    "downgrade": "Downgraded MRR",
    "end": "MRR (End of Period)",
    "nrr": "NRR Rate",
    "grr": "GRR Rate",
}


REQUIRED_FIELDS: tuple[Field, ...] = ("month", "start", "expansion", "churn", "downgrade")
