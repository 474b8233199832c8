"""Discretion (裁量): facts + item + benchmark → outcome, ranges, penalty kinds and the reasons.

INTERFACE SKELETON — the data shapes below are the contract between this module, the catalog app
(which builds :class:`ItemRule`, :class:`Benchmark` and :class:`NoPenaltyEntry` from its rows) and the
``zhifa law discretion`` command. The engine (:func:`assess`) is implemented in this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .errors import Citation
from .fines import FineRange, FineRule
from .penalties import PenaltyKind


class Outcome(StrEnum):
    """裁量阶次, lightest first."""

    NO_PENALTY = "no_penalty"  # 不予处罚
    MITIGATED = "mitigated"  # 减轻处罚
    LIGHTER = "lighter"  # 从轻处罚
    GENERAL = "general"  # 一般处罚
    HEAVIER = "heavier"  # 从重处罚


OUTCOME_LABELS = {
    Outcome.NO_PENALTY: "不予处罚",
    Outcome.MITIGATED: "减轻处罚",
    Outcome.LIGHTER: "从轻处罚",
    Outcome.GENERAL: "一般处罚",
    Outcome.HEAVIER: "从重处罚",
}


class KindMode(StrEnum):
    MANDATORY = "mandatory"  # 应当给予 / 并处
    OPTIONAL = "optional"  # 可以并处
    SERIOUS = "serious"  # 情节严重的 / 拒不改正的 …（责令停业整顿、吊销 …）


@dataclass(frozen=True)
class KindRule:
    kind: PenaltyKind
    mode: KindMode
    note: str = ""  # e.g. "情节严重的，责令停业整顿直至吊销许可证"


@dataclass(frozen=True)
class ItemRule:
    """An enforcement item as the rules see it (built by the catalog from its rows)."""

    code: str
    name: str
    penalty_basis: Citation
    kinds: tuple[KindRule, ...]
    fine: FineRule | None = None
    violated_basis: tuple[Citation, ...] = ()
    verified: bool = True


@dataclass(frozen=True)
class Band:
    """A share of a range: ``low``..``high`` as fractions 0..1 of (max − min) above min."""

    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Factor:
    code: str
    label: str
    basis: Citation | None = None


@dataclass(frozen=True)
class Benchmark:
    """A jurisdiction's discretion benchmark (裁量基准), published (《行政处罚法》第三十四条).

    ``bands`` maps a shape of statutory range — ``"range"`` (min and max), ``"max_only"`` ("…以下"),
    ``"multiple"`` (a multiple of an amount) — to the bands of :data:`Outcome.LIGHTER`,
    :data:`Outcome.GENERAL` and :data:`Outcome.HEAVIER`. ``mitigated_floor`` is the lowest share of the
    statutory minimum a 减轻 fine may go to (0 = any amount above nothing). ``mitigate_threshold`` is how
    many mitigating circumstances, with no aggravating one, lead to 减轻 rather than 从轻.
    ``repeat_window_years`` is the window in which earlier penalties count as repeat offences.
    """

    jurisdiction: str
    bands: dict[str, dict[Outcome, Band]]
    aggravating: tuple[Factor, ...] = ()
    mitigating: tuple[Factor, ...] = ()
    mitigated_floor: Decimal = Decimal(0)
    mitigate_threshold: int = 2
    repeat_window_years: int = 2
    repeat_count: int = 1  # this many earlier penalties in the window is an aggravating circumstance
    item_bands: dict[str, dict[str, dict[Outcome, Band]]] = field(default_factory=dict)  # per item code
    source: str = ""


@dataclass(frozen=True)
class NoPenaltyEntry:
    """One line of a 免罚清单: the item and the conditions under which it is not punished."""

    item_code: str
    conditions: tuple[str, ...]  # facts that must all be true, e.g. ("first_violation", "corrected_promptly")
    source: str
    basis: Citation | None = None


@dataclass(frozen=True)
class Step:
    text: str
    basis: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Assessment:
    item: str
    outcome: Outcome
    statutory_range: FineRange | None
    recommended_range: tuple[Decimal, Decimal] | None
    mandatory_kinds: tuple[PenaltyKind, ...]
    optional_kinds: tuple[PenaltyKind, ...]
    requires_education: bool
    steps: tuple[Step, ...]
    alternatives: tuple[Outcome, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class Facts:
    """The facts of one violation as the officer found them. Parse with :func:`parse_facts`."""

    party: str = "organisation"  # "person" | "organisation"
    act_date: date | None = None
    birth_date: date | None = None
    amounts: dict[str, Decimal] = field(default_factory=dict)  # 违法经营额 / 违法所得 / 货值金额
    first_violation: bool = False
    corrected_promptly: bool = False
    harm: str = "ordinary"  # "none" | "minor" | "ordinary" | "serious"
    no_fault: bool = False
    mental_state: str = "normal"  # "normal" | "incapable" | "partial" | "lucid_intermittent"
    coerced: bool = False
    confessed_unknown: bool = False
    merit: bool = False
    eliminated_harm: bool = False
    prior_penalties_in_window: int = 0
    serious: bool = False  # 情节严重 / 拒不改正
    aggravating: tuple[str, ...] = ()  # codes of the benchmark's aggravating factors that are present
    mitigating: tuple[str, ...] = ()  # codes of the benchmark's mitigating factors that are present


def parse_facts(data: Any) -> Facts:
    raise NotImplementedError


def assess(item: ItemRule, facts: Facts, benchmark: Benchmark,
           no_penalty: tuple[NoPenaltyEntry, ...] = ()) -> Assessment:
    raise NotImplementedError
