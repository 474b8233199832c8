"""One exception type for every refusal a rule makes (DESIGN.md §6)."""

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Citation:
    """A legal source and article, e.g. 《中华人民共和国行政处罚法》第四十二条."""

    source: str
    article: str = ""
    note: str = ""

    @property
    def name(self) -> str:
        """The source and the article, as a message names it: 《中华人民共和国行政处罚法》第六十七条."""
        return f"{self.source}{self.article}"

    def __str__(self) -> str:
        return f"{self.name}（{self.note}）" if self.note else self.name


@dataclass
class RuleViolation(Exception):
    """A domain rule refused an input or a step.

    `code` is stable (for the API and tests), `message` is Chinese for people, `field` names the
    input at fault when there is one, `basis` cites the law or policy that is the reason.
    """

    code: str
    message: str
    field: str | None = None
    basis: list[Citation] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        if self.basis:
            return f"{self.message}（依据：{'；'.join(str(b) for b in self.basis)}）"
        return self.message
