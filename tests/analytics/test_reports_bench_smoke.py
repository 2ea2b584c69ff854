"""bench/reports.py runs to completion on a small load and prints its figures (the timings are not judged)."""
import re

import pytest

from tests.search.test_bench_smoke import run_bench, table_row


@pytest.mark.servers
def test_the_reports_benchmark_prints_the_upkeep_per_event_and_every_dashboard_query():
    output = run_bench("reports.py", "--conversations", "300", "--runs", "2", "--events", "5")

    assert re.search(r"facts of 300 conversations computed in bulk in [\d.]+ s", output)
    assert table_row(output, "facts of one conversation")[1] == "5"
    assert table_row(output, "the same after a reassignment")[1] == "5"
    assert re.fullmatch(r"\d+\.\d", table_row(output, "whole dashboard, 365 days")[2])
    assert re.fullmatch(r"\d+\.\d", table_row(output, "live now view")[2])
