"""What the benchmarks share: Django on a chosen database, percentiles, a progress line and a table."""
import os
import resource
import statistics
import sys
import tempfile
from pathlib import Path

#: The checkout the benchmarks belong to: its `parley` is the one measured, whatever is installed in the venv.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def environment(*, data_dir: Path, database_url: str = "", redis_url: str = "") -> dict[str, str]:
    """Return the environment a Parley process needs to run on `data_dir` and the given services.

    Without a database URL this is the embedded default (SQLite in the data dir);
    variables inherited from the shell are overridden so a benchmark never lands on another database.
    """
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "parley.settings", "PARLEY_DATA_DIR": str(data_dir),
           "PARLEY_LOG_LEVEL": "WARNING", "PARLEY_JOBS_EAGER": "0",
           "DATABASE_URL": database_url or f"sqlite:///{data_dir / 'parley.sqlite3'}", "REDIS_URL": redis_url,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    return env


def django_setup(env: dict[str, str]) -> None:
    """Configure this process with `env`, start Django and bring the schema up to date."""
    os.environ.clear()
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def data_dir(given: str | None) -> Path:
    """Return the data dir to use: the one given, or a new temporary one."""
    return Path(given).resolve() if given else Path(tempfile.mkdtemp(prefix="parley-bench-"))


def percentile(values: list[float], pct: float) -> float:
    """Return the pct-th percentile (0-100) of values, interpolated; 0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[min(98, max(0, round(pct) - 1))]


def progress(text: str) -> None:
    """Overwrite the progress line."""
    sys.stdout.write("\r" + text.ljust(78))
    sys.stdout.flush()


def progress_done() -> None:
    sys.stdout.write("\n")
    sys.stdout.flush()


def print_table(headers: list[str], rows: list[list]) -> None:
    """Print rows as a Markdown table, so figures paste straight into bench/README.md."""
    cells = [headers] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seeded_database_arguments(parser) -> None:
    """Add the options of a benchmark that seeds its own database: --runs, --database-url, --data-dir, --seed."""
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query (after one warm-up)")
    parser.add_argument("--database-url", default="", help="an empty database to fill (default: SQLite in a temp dir)")
    parser.add_argument("--data-dir", help="where the embedded database goes (default: a new temp dir, removed afterwards)")
    parser.add_argument("--seed", type=int, default=7, help="random seed, for repeatable data")


def run_in_data_dir(args, run) -> None:
    """Call run(args, data_dir) on the --data-dir given, or on a temporary one removed afterwards."""
    import shutil

    directory = data_dir(args.data_dir)
    try:
        run(args, directory)
    finally:
        if not args.data_dir:
            shutil.rmtree(directory, ignore_errors=True)


def timed(fn, runs: int) -> list[float]:
    """Return the seconds of each of `runs` calls of fn(), after one warm-up call."""
    import time

    fn()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return timings
