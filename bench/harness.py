"""What the benchmarks share: Django on a chosen database, percentiles, a progress line and a table."""
import os
import resource
import statistics
import sys
import tempfile
import time
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


#: Rows written at a time by `row_writer`'s bulk_create.
BATCH = 2000


def next_id(model) -> int:
    """Return the id after the largest one `model` holds."""
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def row_writer(connection):
    """Return write(model, columns, rows), which stores rows of values for `columns` (attribute names).

    PostgreSQL gets COPY, an order of magnitude faster than INSERTs at a million rows; the columns not given
    are filled with each field's default. Other databases get bulk_create.
    """
    if connection.vendor != "postgresql":
        def bulk_create(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
            model.objects.bulk_create([model(**dict(zip(columns, row))) for row in rows], batch_size=BATCH)
        return bulk_create

    def copy(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
        fields = [model._meta.get_field(column) for column in columns]
        rest = [f for f in model._meta.concrete_fields if f not in fields and not f.primary_key]
        defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields + rest)
        with connection.cursor() as cursor, cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as stream:
            for row in rows:
                stream.write_row(row + defaults)
    return copy


def sequences_reset(connection, models) -> None:
    """Move the sequences that number new rows past the ids a seed gave `models` itself."""
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def load_then_index(connection, load):
    """Return load(), run with the full-text index off and built once afterwards, then the planner's statistics.

    Loading first and indexing once afterwards is far cheaper than a trigger per row, as an importer would do.
    """
    from parley.search import backend_for

    search_backend = backend_for(connection.vendor)
    search_backend.uninstall(connection)
    started = time.perf_counter()
    loaded = load()
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    progress("building the full-text index")
    started = time.perf_counter()
    search_backend.install(connection)
    progress_done()
    print(f"full-text index built in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # A running desk's autovacuum keeps PostgreSQL's visibility map set, which index-only scans need;
        # right after a bulk load it is empty until a VACUUM.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"statistics refreshed in {time.perf_counter() - started:.1f} s")
    return loaded


def timed(fn, runs: int) -> list[float]:
    """Return the seconds of each of `runs` calls of fn(), after one warm-up call."""
    fn()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return timings
