"""bench/automation.py runs to completion on a small load and prints its figures (timings are not judged)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.servers
def test_the_automation_benchmark_evaluates_every_trigger_and_fires_none():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PARLEY_DATA_DIR", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "automation.py"), "--rules", "30", "--conversations", "5",
                             "--events", "40"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "30 triggers on message.received, 5 conversations, sqlite" in result.stdout
    assert "rules matched 0 times while timing conditions, fired 0 times" in result.stdout
    assert re.search(r"\| conditions only \(facts in memory\)\s+\| 40\s+\| \d+ ", result.stdout)
    assert re.search(r"\| subscriber \(facts from the database \+ rules\)\s+\| 40\s+\| \d+ ", result.stdout)
