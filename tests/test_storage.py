"""The storage layer opens, migrates idempotently and enforces the 4% floor."""

import pytest
from sqlalchemy import inspect

from zwgk.model import WeightError, check_weight
from zwgk.storage import Database


def test_open_migrates_schema_and_reopen_is_idempotent(db_url):
    first = Database.open(db_url)
    tables = set(inspect(first.engine).get_table_names())
    first.dispose()
    assert {"units", "rounds", "pages", "links", "findings", "scores", "rectification_items"} <= tables
    again = Database.open(db_url)  # second upgrade to head must be a no-op
    assert set(inspect(again.engine).get_table_names()) == tables
    again.dispose()


@pytest.mark.parametrize("weight", [0.0, 0.01, 0.0399])
def test_weight_below_four_percent_is_refused(weight):
    with pytest.raises(WeightError, match="不低于4%"):
        check_weight(weight)


def test_weight_at_or_above_four_percent_is_accepted():
    assert check_weight(0.04) == 0.04
    assert check_weight(0.1) == 0.1
