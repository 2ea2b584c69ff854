"""Benchmark parse_email on a mixed corpus built from the test corpus with varied Message-IDs.

    python bench/email_parse.py                # 10 000 mails
    python bench/email_parse.py --count 2000

Prints throughput, per-mail latency percentiles, the slowest corpus files and the peak traced memory.
Asserts nothing.
"""
import argparse
import re
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Replace, not prepend: bench/ holds an email.py that would shadow the standard library's email package.
sys.path[0] = str(ROOT)
from parley.channels.email.parsing import parse_email  # noqa: E402

CORPUS = ROOT / "tests" / "channels" / "email" / "corpus"
MESSAGE_ID = re.compile(rb"^Message-I[Dd]:[^\n]*(?:\n[ \t][^\n]*)*", re.MULTILINE)


def build(count: int) -> list[tuple[str, bytes]]:
    """Cycle through the corpus, giving each copy its own Message-ID where the file has one."""
    files = sorted(CORPUS.glob("*.eml"))
    mails = []
    for index in range(count):
        path = files[index % len(files)]
        raw = MESSAGE_ID.sub(f"Message-ID: <bench-{index}@parley.test>".encode(), path.read_bytes(), count=1)
        mails.append((path.name, raw))
    return mails


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="mails to parse (default 10000)")
    parser.add_argument("--memory-sample", type=int, default=1_000, help="mails parsed under tracemalloc")
    args = parser.parse_args()

    mails = build(args.count)
    total_bytes = sum(len(raw) for _, raw in mails)
    latencies: list[float] = []
    by_file: dict[str, list[float]] = defaultdict(list)
    started, cpu_started = time.perf_counter(), time.process_time()
    for name, raw in mails:
        before = time.perf_counter()
        parse_email(raw)
        elapsed = time.perf_counter() - before
        latencies.append(elapsed)
        by_file[name].append(elapsed)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started

    # tracemalloc slows allocation-heavy code several times over, so memory is measured in a separate pass.
    tracemalloc.start()
    for _, raw in mails[: args.memory_sample]:
        parse_email(raw)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    quantiles = statistics.quantiles(latencies, n=100)
    print(f"mails parsed      {len(mails)} ({total_bytes / 1_048_576:.1f} MiB, {len(by_file)} distinct files)")
    print(f"throughput        {len(mails) / wall:,.0f} mails/s, {total_bytes / 1_048_576 / wall:.1f} MiB/s")
    # CPU time stays meaningful when other work shares the machine and stretches the wall clock.
    print(f"per CPU second    {len(mails) / cpu:,.0f} mails")
    print(f"latency per mail  p50 {quantiles[49] * 1000:.2f} ms, p95 {quantiles[94] * 1000:.2f} ms, "
          f"max {max(latencies) * 1000:.2f} ms")
    slowest = sorted(by_file.items(), key=lambda item: -statistics.mean(item[1]))[:3]
    print("slowest files     " + ", ".join(f"{name} {statistics.mean(times) * 1000:.2f} ms" for name, times in slowest))
    print(f"peak traced memory {peak / 1_048_576:.1f} MiB over {min(args.memory_sample, len(mails))} mails")


if __name__ == "__main__":
    main()
