"""bench/telephony.py runs to completion on a small load and prints its figures (their timings are not judged)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.servers
def test_the_telephony_benchmark_posts_signed_texts_and_walks_calls_without_errors():
    # The benchmark makes its own embedded data dir; the suite's database settings must not leak into it.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PARLEY_DATA_DIR", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "telephony.py"), "--sms", "20", "--calls", "5",
                             "--concurrency", "2", "--no-floor"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = {line.split("|")[1].strip(): line for line in result.stdout.splitlines() if line.startswith("| ")}
    assert re.search(r"\| 20 +\| \d+\.\d accepted/s", rows["inbound SMS"])
    for step in ("IVR: call comes in", "IVR: menu choice", "IVR: status callback"):
        assert re.search(r"\| 5 +\| \d+\.\d steps/s", rows[step])
    assert "SMS processed by the worker: 20 (0 failed envelopes)" in result.stdout
    assert "errors: none" in result.stdout
