"""bench/kb.py runs to completion on a small load and prints its tables (its timings are not judged)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.servers
def test_the_help_center_benchmark_prints_accuracy_latency_and_memory():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PARLEY_DATA_DIR", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "kb.py"), "--sizes", "60", "--runs", "1"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=900)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout
    assert re.search(r"\| hybrid \(en\)\s+\| 135\s+\| \d+\.\d%\s+\| \d+\.\d%", output)
    assert re.search(r"\| 60\s+\| semantic\s+\| 135\s+\| \d+\.\d", output)
    assert re.search(r"embedding model: loaded in \d+ ms; RSS \d+ MiB before, \d+ MiB after", output)
    assert re.search(r"\| 60\s+\| 135\s+\| \d+\.\d", output)
