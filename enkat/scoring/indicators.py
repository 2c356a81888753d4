"""Indicator shares over many responses: the NNS "indikatorandel".

The share is positive answers among the answers that are neither missing ("vet ej")
nor unanswered (docs/instruments.md, Indicators); missing and unanswered are counted so
a report can show them beside the share. Pool the answers of several items (NNS
``planering-efter-avslut``: q8, q9, q10) by passing them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from enkat.scoring.describe import CONFIDENCE, Proportion, proportion
from enkat.scoring.responses import IndicatorAnswer


@dataclass(frozen=True)
class IndicatorTally:
    positive: int
    not_positive: int
    missing: int
    unanswered: int
    share: Proportion  # positive of positive + not_positive, with its Wilson interval


def tally_indicator(answers: Iterable[IndicatorAnswer],
                    confidence: float = CONFIDENCE) -> IndicatorTally:
    counted = Counter(answers)
    positive = counted[IndicatorAnswer.POSITIVE]
    not_positive = counted[IndicatorAnswer.NOT_POSITIVE]
    return IndicatorTally(positive, not_positive, counted[IndicatorAnswer.MISSING],
                          counted[IndicatorAnswer.UNANSWERED],
                          proportion(positive, positive + not_positive, confidence))
