"""Rubric numbers are bounded: nan/inf, absurd magnitudes and contradictory values are
refused by ``load_rubric`` and ``zwgk rules --check`` with the file and the line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from zwgk.indicators import load_rubric
from zwgk.model import RubricError

BIG = "1" + "0" * 400
HEAD = 'base = "national-2019"\n'

# (body after the base line, line of the bad value, fragment of the reason)
BAD_VALUES = [
    ("[scoring]\ntotal = nan\n", 4, "not a finite number"),
    ("[scoring]\npass_line = inf\n", 4, "not a finite number"),
    ("[scoring]\nbonus_gate = -inf\n", 4, "not a finite number"),
    ("[scoring]\nweight = nan\n", 4, "not a finite number"),
    ("[scoring]\ntotal = 1e308\n", 4, "out of range"),
    (f"[scoring]\ntotal = {BIG}\n", 4, "401-digit number"),
    (f"[scoring]\nweight = {BIG}\n", 4, "out of range"),
    ("[scoring]\nweight = 1.5\n", 4, "above 1"),
    ("[scoring]\nweight = 0.039\n", 4, "0.04"),
    ("[scoring]\npass_line = 120\n", 4, "pass_line = 120 is above scoring.total = 100"),
    ("[scoring]\nbonus_gate = 100.5\n", 4, "bonus_gate = 100.5 is above scoring.total"),
    ("[scoring]\nrectify_working_days = 100000000\n", 4, "between 1 and 250"),
    (f"[scoring]\nrectify_working_days = {BIG}\n", 4, "out of range"),
    ("[scoring]\nrectify_working_days = 0\n", 4, "between 1 and 250"),
    ("[scoring]\nno_services_factor = 1e30\n", 4, "out of range"),
    ("[scoring]\noverdue_cap = 5000\n", 4, "out of range"),
    ("[scoring]\noverdue_extra_points = 20\n", 4, "overdue_extra_points = 20 is above scoring.overdue_cap"),
    ("[scoring.composite]\nwebsite = nan\n", 4, "composite weight"),
    ("[indicators.update]\npoints = nan\n", 4, "not a finite number"),
    (f"[indicators.update]\npoints = {BIG}\n", 4, "out of range"),
    ("[rules.LINK-HOME]\npoints = nan\n", 4, "not a finite number"),
    ("[rules.LINK-HOME]\npoints = 1e308\n", 4, "out of range"),
    ("[rules.LINK-HOME]\ncap = inf\n", 4, "not a finite number"),
    ("[rules.AVAIL-DOWN.params]\nfail_share = 5\n", 4, "between 0 and 1"),
    ("[rules.AVAIL-DOWN.params]\nfail_share = nan\n", 4, "not a finite number"),
    (f"[rules.INTERP-LATE.params]\nmax_working_days = {BIG}\n", 4, "out of range"),
    ("[rules.FRESH-HOME.params]\ndays = 1e308\n", 4, "out of range"),
    ('[columns."政策文件"]\nfreshness_days = 100000\n', 4, "out of range"),
]


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "province.toml"
    path.write_text(HEAD + "\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("body, line, fragment", BAD_VALUES)
def test_each_bad_value_is_rejected_with_file_and_line(tmp_path, body, line, fragment):
    path = _write(tmp_path, body)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    err = info.value
    assert err.line == line, str(err)
    assert fragment in err.reason, str(err)
    assert f"{path}:{line}" in str(err)
    assert len(str(err)) < 400  # a 400-digit number is not printed back


def test_relation_is_reported_where_the_file_set_it(tmp_path):
    """A province lowering only ``total`` below the base's pass line is pointed at ``total``."""
    path = _write(tmp_path, "[scoring]\n# the province's scale\ntotal = 50\n")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert info.value.line == 5 and "pass_line = 60 is above scoring.total = 50" in info.value.reason


def test_values_at_the_edges_of_their_ranges_load(tmp_path):
    path = _write(
        tmp_path,
        "[scoring]\npass_line = 100\nbonus_gate = 100\nrectify_working_days = 250\nweight = 1\n"
        "[rules.AVAIL-DOWN.params]\nfail_share = 1\n",
    )
    rubric = load_rubric(path)
    assert rubric.scoring.pass_line == 100 and rubric.scoring.rectify_working_days == 250


def test_shipped_rubrics_are_inside_every_bound():
    for name in ("national-2019", "zhaoqing-2019"):
        assert load_rubric(name).scoring.total == 100


@pytest.mark.parametrize(
    "body, line",
    [("[scoring]\ntotal = nan\n", 4), (f"[scoring]\ntotal = {BIG}\n", 4), ("[scoring]\npass_line = 101\n", 4)],
)
def test_rules_check_refuses_with_one_line_and_exit_2(tmp_path, body, line):
    path = _write(tmp_path, body)
    done = subprocess.run(
        [sys.executable, "-m", "zwgk", "rules", "--check", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"{path}:{line}:" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
