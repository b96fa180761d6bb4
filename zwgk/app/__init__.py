"""zwgk.app: the application layer — the one place every entry point acts on a round.

``zwgk assess`` / ``zwgk demo`` (zwgk.pipeline), the Celery coordinator and workers
(zwgk.distributed), the monitor's scheduled rounds (zwgk.monitor), ``zwgk review`` /
``zwgk scores`` (zwgk.assess.cli) and the dashboard's 工作台 (zwgk.dashboard) all go
through here to:

- run a round: :func:`run_round` with an :class:`Executor` (:class:`LocalExecutor` here,
  ``zwgk.distributed.executor.CeleryExecutor`` on workers) and a monitoring
  :data:`History` passed in — this package imports neither zwgk.distributed nor zwgk.monitor;
- re-judge a round from its archive: :func:`run_round_from_archive`;
- change a finished round: :mod:`zwgk.app.review` (review, add by hand, manual scores),
  each followed by the one re-score (整改 rebuild, then scores and ranks).

Stages below (crawlers, indicators, assess, archive, storage) never import this package.
"""

from zwgk.app.rejudge import run_round_from_archive
from zwgk.app.review import (
    Change,
    RescoreFailed,
    add_finding_by_hand,
    enter_manual_score,
    import_manual_scores,
    rescore,
    review_finding,
)
from zwgk.app.rounds import (
    Executor,
    History,
    LocalExecutor,
    PreparedRound,
    RoundOptions,
    RoundResult,
    RoundServices,
    crawl_and_evaluate_site,
    crawl_prepared,
    evaluate_site,
    finish_round,
    load_prepared,
    prepare_round,
    run_round,
)

__all__ = [
    "Change",
    "Executor",
    "History",
    "LocalExecutor",
    "PreparedRound",
    "RescoreFailed",
    "RoundOptions",
    "RoundResult",
    "RoundServices",
    "add_finding_by_hand",
    "crawl_and_evaluate_site",
    "crawl_prepared",
    "enter_manual_score",
    "evaluate_site",
    "finish_round",
    "import_manual_scores",
    "load_prepared",
    "prepare_round",
    "rescore",
    "review_finding",
    "run_round",
    "run_round_from_archive",
]
