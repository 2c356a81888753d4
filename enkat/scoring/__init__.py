"""Scoring: pure functions from answers and scores to figures (numpy and scipy).

Plain data in, frozen dataclasses out; no web framework, no database, no other enkat
layer but the instruments' plain types. A figure that cannot be computed is None with
a `Reason`, never NaN and never an exception.

scipy is imported inside the functions that call it, on first use: it is the largest
library a process would otherwise load at start (some 70 MB and half a second in every
web and job worker), and most requests never compute a test or an interval.

Modules by topic:

* `responses`: scale scores of one response (missing items, prorating) and indicator
  answers item by item (the NNS share over many responses is counted where the report
  tallies its answers: `enkat.reports.indicators.IndicatorTally`).
* `courses`: a deltagare's course (first, latest, change), change classes
  (Jacobson–Truax), SRS session flags, stegförflyttning.
* `describe`: n, mean, SD, median, quartiles; proportions with Wilson intervals.
* `paired`: pre/post change with t interval, paired t-test, Wilcoxon, effect sizes.
* `groups`: two groups: difference in proportions (Newcombe), Fisher, chi-square,
  Mann–Whitney.
* `suppression`: small-cell suppression of outgoing tables, primary and secondary;
  `Suppression` is the policy (the threshold k) every report table is built with.
* `exact`: decimal arithmetic for changes; `results`: shared result types and reasons.
"""

from enkat.scoring.courses import (
    ChangeClass,
    Course,
    Rating,
    SessionFlags,
    StepClass,
    change_class,
    classify_change,
    course,
    item_courses,
    ratings_from_responses,
    session_flags,
    step_class,
)
from enkat.scoring.describe import (
    Proportion,
    Summary,
    category_shares,
    proportion,
    shares,
    summarize,
    wilson_interval,
)
from enkat.scoring.groups import (
    ProportionDifference,
    TableTest,
    chi_square_test,
    difference_in_proportions,
    fisher_exact_test,
    mann_whitney,
    newcombe_interval,
    table_test,
)
from enkat.scoring.paired import PairedChange, PrePost, paired_change, pre_post, wilcoxon_test
from enkat.scoring.responses import (
    Answers,
    IndicatorAnswer,
    ScaleScore,
    indicator_answer,
    indicator_answers,
    item_value,
    scale_score,
    scale_scores,
    score_from_sum,
)
from enkat.scoring.results import Estimate, Reason, TestResult
from enkat.scoring.suppression import (
    CountShare,
    SuppressedColumn,
    SuppressedTable,
    Suppression,
    column_shares,
    count_share,
    shares_by_column,
    suppress,
    suppress_column,
)

__all__ = [
    "Answers",
    "ChangeClass",
    "CountShare",
    "Course",
    "Estimate",
    "IndicatorAnswer",
    "PairedChange",
    "PrePost",
    "Proportion",
    "ProportionDifference",
    "Rating",
    "Reason",
    "ScaleScore",
    "SessionFlags",
    "StepClass",
    "Summary",
    "SuppressedColumn",
    "SuppressedTable",
    "Suppression",
    "TableTest",
    "TestResult",
    "category_shares",
    "change_class",
    "chi_square_test",
    "classify_change",
    "column_shares",
    "count_share",
    "course",
    "difference_in_proportions",
    "fisher_exact_test",
    "indicator_answer",
    "indicator_answers",
    "item_courses",
    "item_value",
    "mann_whitney",
    "newcombe_interval",
    "paired_change",
    "pre_post",
    "proportion",
    "ratings_from_responses",
    "scale_score",
    "scale_scores",
    "score_from_sum",
    "session_flags",
    "shares",
    "shares_by_column",
    "step_class",
    "summarize",
    "suppress",
    "suppress_column",
    "table_test",
    "wilcoxon_test",
    "wilson_interval",
]
