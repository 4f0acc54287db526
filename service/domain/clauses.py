"""Treaty clauses that set their own clocks: a notice, and what takes effect a period after it.

A commitment is a notice under a clause when its tags hold every tag of the clause's `notice`;
the clause then proposes the commitment that follows, with a due relative to the notice.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.base import Kind, Status
from service.domain.commitments import Commitment, CommitmentCreate, Source
from service.domain.due_rules import DueRule, resolve


@dataclass(frozen=True, slots=True)
class Clause:
    """One treaty's notice period, with the article that states it and where to read it."""

    treaty: str
    treaty_name: str
    article: str
    notice: frozenset[str]
    period: str
    takes_effect: str
    kind: Kind
    source: str

    def is_notice(self, commitment: Commitment) -> bool:
        return self.notice <= set(commitment.tags)

    def follow_up(self, notice: Commitment) -> CommitmentCreate:
        """The commitment this clause makes follow `notice`, its due resolved from the notice's."""
        rule = DueRule(after=notice.id, offset=self.period)
        return CommitmentCreate(
            id=f"{notice.id}-takes-effect",
            title=self.takes_effect,
            description=f"{self.treaty_name}, {self.article}: {self.period} after the notice.",
            kind=self.kind,
            due=resolve(rule, notice.due),
            due_rule=rule,
            status=Status.TENTATIVE if notice.due is None else Status.SCHEDULED,
            parties=notice.parties,
            tags=(self.treaty,),
            sources=(Source(url=self.source, title=f"{self.treaty_name}, {self.article}"),),
        )


def _withdrawal(treaty: str, name: str, article: str, period: str, source: str) -> Clause:
    return Clause(
        treaty=treaty,
        treaty_name=name,
        article=article,
        notice=frozenset({treaty, "withdrawal-notice"}),
        period=period,
        takes_effect=f"Withdrawal from the {name} takes effect",
        kind=Kind.TREATY_WITHDRAWAL,
        source=source,
    )


CLAUSES: tuple[Clause, ...] = (
    _withdrawal(
        "inf",
        "INF Treaty",
        "Article XV(2)",
        "P6M",
        "https://2009-2017.state.gov/t/avc/trty/102360.htm",
    ),
    _withdrawal(
        "open-skies",
        "Treaty on Open Skies",
        "Article XV(2)",
        "P6M",
        "https://www.osce.org/library/14127",
    ),
    _withdrawal(
        "ctbt",
        "Comprehensive Nuclear-Test-Ban Treaty",
        "Article IX(3)",
        "P6M",
        "https://www.ctbto.org/fileadmin/content/treaty/treaty_text.pdf",
    ),
    _withdrawal(
        "npt",
        "Treaty on the Non-Proliferation of Nuclear Weapons",
        "Article X(1)",
        "P3M",
        "https://www.iaea.org/sites/default/files/publications/documents/infcircs/1970/infcirc140.pdf",
    ),
    _withdrawal(
        "new-start",
        "New START Treaty",
        "Article XIV(3)",
        "P3M",
        "https://2009-2017.state.gov/documents/organization/140035.pdf",
    ),
    Clause(
        treaty="jcpoa-snapback",
        treaty_name="UN Security Council resolution 2231 (2015)",
        article="paragraphs 11 and 12",
        notice=frozenset({"jcpoa-snapback", "notice"}),
        period="P30D",
        takes_effect="UN sanctions on Iran snap back unless the Security Council continues relief",
        kind=Kind.DEADLINE,
        source="https://undocs.org/S/RES/2231(2015)",
    ),
)
"""The notice periods of the reference data, each with its article and the treaty text."""


def follow_ups(notice: Commitment) -> list[CommitmentCreate]:
    """What the clauses say follows `notice`: none when it is no clause's notice."""
    return [clause.follow_up(notice) for clause in CLAUSES if clause.is_notice(notice)]
