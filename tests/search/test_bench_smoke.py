"""The benchmarks run to completion on a small load and print their figures (their timings are not judged)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_bench(script: str, *args: str) -> str:
    # The benchmarks make their own embedded data dir; the suite's database settings must not leak into them.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PARLEY_DATA_DIR", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def table_row(output: str, label: str) -> list[str]:
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells and cells[0].startswith(label):
            return cells
    raise AssertionError(f"no row {label!r} in:\n{output}")


@pytest.mark.servers
def test_given_a_small_seed_when_the_inbox_benchmark_runs_then_it_prints_timings_for_lists_and_searches():
    output = run_bench("inbox.py", "--conversations", "200", "--messages-per-conversation", "2", "--runs", "3")

    assert "bulk_create" in output
    assert table_row(output, "inbox: all")[1] == "50"
    assert table_row(output, "search: #number")[1] == "1"
    assert int(table_row(output, "search: customer email")[1]) >= 1
    assert re.fullmatch(r"\d+\.\d", table_row(output, "search: very common word")[2])
    assert re.search(r"peak RSS: \d+ MiB", output)


@pytest.mark.servers
def test_given_fifty_messages_when_the_ingest_benchmark_runs_then_all_are_accepted_and_processed_beside_the_floor():
    output = run_bench("ingest.py", "--count", "50", "--concurrency", "4")

    assert table_row(output, "accepted (202)")[1:] == ["50", "50"]
    assert table_row(output, "processed")[1] == "50"
    assert table_row(output, "errors by status")[1:] == ["none", "none"]
    assert re.fullmatch(r"\d+\.\d ms", table_row(output, "latency p99")[1])
    assert re.fullmatch(r"\d+\.\d", table_row(output, "accepted/s")[2])


@pytest.mark.servers
def test_given_one_sequential_client_and_two_web_processes_when_the_ingest_benchmark_runs_then_all_are_processed():
    output = run_bench("ingest.py", "--count", "20", "--concurrency", "1", "--workers", "2", "--no-floor")

    assert "2 uvicorn process(es)" in output
    assert table_row(output, "accepted (202)")[1] == "20"
    assert table_row(output, "processed")[1] == "20"
    assert table_row(output, "accepted (202)")[2] == "not run"


def test_long_thread_bench_prints_the_cost_of_a_message_at_each_thread_length():
    output = run_bench("long_thread.py", "--sizes", "3,12", "--samples", "3")

    assert float(table_row(output, "3")[1]) > 0 and float(table_row(output, "12")[1]) > 0


@pytest.mark.servers
def test_given_a_small_queue_when_the_routing_benchmark_runs_then_every_conversation_is_assigned_and_due_times_recomputed():
    output = run_bench("routing.py", "--agents", "20", "--queued", "300", "--open", "600", "--workers", "2")

    assert table_row(output, "assignments (2 workers)")[1] == "300"
    assert table_row(output, "SLA due times, after adding a holiday")[1] == "600"
    assert "recomputing [##############################] 600/600" in output


def test_given_twenty_conversations_when_the_bulk_benchmark_runs_then_every_action_changes_all_of_them():
    output = run_bench("bulk.py", "--conversations", "20")

    for label in ("set priority", "undo set priority", "assign", "add tags"):
        assert table_row(output, label)[1:3] == ["20", "20"]


@pytest.mark.servers
def test_given_a_few_messages_when_the_worker_cost_benchmark_runs_then_every_message_is_processed_and_counted():
    output = run_bench("worker_cost.py", "--messages", "20", "--customers", "5")

    assert "20 messages from 5 customers, sqlite" in output
    # Each accepted envelope is processed by one job; each event reaches its subscribers through one job.
    assert table_row(output, "envelope.process")[1] == "20"
    assert int(table_row(output, "events")[1]) >= 25  # 20 messages received, 5 conversations opened, and the set-up's
    assert float(table_row(output, "all (with claiming")[2]) > 0
