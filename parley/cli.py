"""The `parley` command: run the whole product, a worker, the demo workspace and operator chores.

Each sub-command is an entry in COMMANDS; handlers parse, call services and print.
Django is set up only by the commands that need it, so `--help` stays instant.
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCHMARKS = ("ingest", "inbox", "email", "email_quality", "soak", "long_thread", "automation", "bulk", "routing", "telephony", "chat", "reports", "kb")
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 20


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    import django

    django.setup()


def _fail(command: str, message: str, code: int = 1) -> int:
    print(f"parley {command}: {message}", file=sys.stderr)
    return code


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _show_progress(done: int, total: int) -> None:
    end = "\n" if done == total else ""
    print(f"\rSeeding the demo workspace: {done}/{total} conversations", end=end, flush=True)


def _seed_demo(*, reset: bool, seed: int):
    from parley.demo.seed import demo_reset, demo_seed

    started = time.monotonic()
    login = (demo_reset if reset else demo_seed)(seed=seed, progress=_show_progress)
    print(f"Demo workspace ready in {time.monotonic() - started:.1f} s.", flush=True)
    return login


def _print_login(login) -> None:
    print(f"  Admin login: {login.email}   password: {login.password}", flush=True)
    print("  (shown only now) Every demo agent signs in with the same password, to try each role:", flush=True)
    for email, role in login.agents:
        print(f"    {email:<32} {role}", flush=True)


# --- serve -------------------------------------------------------------------------------------------

def _browse_host(host: str) -> str:
    # A wildcard address is where the server listens, not somewhere a browser can go.
    return {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, f"[{host}]" if ":" in host else host)


class _Stop(Exception):
    pass


def _raise_stop(signum, frame) -> None:
    raise _Stop(signum)


def _wait_until_listening(host: str, port: int, web: subprocess.Popen) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline and web.poll() is None:
        try:
            with socket.create_connection((host.strip("[]"), port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


#: A dead child is started again after this many seconds, doubling while it keeps dying, up to a minute.
RESTART_BACKOFF_SECONDS = 1
MAX_RESTART_BACKOFF_SECONDS = 60
#: A child that ran this long before dying is restarted without the accumulated backoff; one that
#: keeps dying sooner (a bad setting, a crash at start) is restarted less and less often.
STABLE_SECONDS = 5


@dataclass
class _Child:
    command: list[str]
    spawn: dict
    #: The web server is the product: if it dies Parley stops. Others are restarted.
    essential: bool = False
    process: subprocess.Popen | None = None
    started: float = 0.0
    backoff: float = RESTART_BACKOFF_SECONDS
    restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, **self.spawn)
        self.started = time.monotonic()
        self.restart_at = None


def _stop_children(children: dict[str, _Child]) -> None:
    running = {name: c.process for name, c in children.items() if c.process is not None and c.process.poll() is None}
    for process in running.values():
        process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for name, process in running.items():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"parley serve: the {name} did not stop in {STOP_TIMEOUT_SECONDS} s; killing it.", file=sys.stderr)
            process.kill()
            process.wait()


def _supervise(children: dict[str, _Child]) -> int:
    """Wait for a signal; restart a background child that dies (with backoff). Return the exit code.

    Only the web server's death stops Parley: the worker and the SMTP receiver are restarted,
    and nothing is lost meanwhile because every job waits in the database.
    """
    try:
        while True:
            now = time.monotonic()
            for name, child in children.items():
                if child.restart_at is not None:
                    if now >= child.restart_at:
                        child.start()
                        print(f"parley serve: the {name} was started again.", file=sys.stderr, flush=True)
                    continue
                code = child.process.poll()
                if code is None:
                    continue
                if child.essential:
                    print(f"parley serve: the {name} exited unexpectedly (exit code {code}); stopping Parley.",
                          file=sys.stderr, flush=True)
                    _stop_children(children)
                    return 1
                if now - child.started >= STABLE_SECONDS:
                    child.backoff = RESTART_BACKOFF_SECONDS
                child.restart_at = now + child.backoff
                print(f"parley serve: the {name} exited unexpectedly (exit code {code}); restarting it in "
                      f"{child.backoff:g} s.", file=sys.stderr, flush=True)
                child.backoff = min(child.backoff * 2, MAX_RESTART_BACKOFF_SECONDS)
            time.sleep(0.2)
    except _Stop:
        print("\nStopping Parley…", flush=True)
        _stop_children(children)
        print("Stopped.", flush=True)
        return 0


def serve(args) -> int:
    base_url = os.environ.setdefault("PARLEY_BASE_URL", f"http://{_browse_host(args.host)}:{args.port}")
    _django()
    from django.conf import settings

    from parley.accounts.models import User

    print("Applying database migrations…", flush=True)
    _migrate()
    login = None
    if not args.no_demo and not User.objects.exists():
        login = _seed_demo(reset=False, seed=1)
    # Children get their own process group: Ctrl-C reaches only this process, which stops them in order.
    spawn = {"process_group": 0, "env": os.environ.copy()}
    # No permessage-deflate: its zlib state costs about 37 KiB per open socket, half of a chat visitor's memory, to
    # shrink frames of a few hundred bytes (bench/README.md, chat.py).
    children = {"web server": _Child([
        sys.executable, "-m", "uvicorn", "parley.asgi:application", "--host", args.host, "--port", str(args.port),
        "--workers", str(args.workers), "--ws-per-message-deflate", "false", "--log-level", args.log_level],
        spawn, essential=True)}
    if not args.no_worker:
        children["background worker"] = _Child([
            sys.executable, "-m", "parley.cli", "worker", "--concurrency", "4", "--log-level", args.log_level], spawn)
    if args.smtp_port:
        children["SMTP receiver"] = _Child([
            sys.executable, "-m", "parley.cli", "smtpd", "--host", args.host, "--port", str(args.smtp_port)], spawn)
    for child in children.values():
        child.start()
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        if not _wait_until_listening(_browse_host(args.host), args.port, children["web server"].process):
            _stop_children(children)
            return _fail("serve", f"the web server did not start on {args.host}:{args.port} (is the port in use?).")
    except _Stop:
        _stop_children(children)
        return 0
    print(f"\nParley is running at {base_url}/", flush=True)
    print(f"  API docs: {base_url}/api/v1/docs", flush=True)
    if login:
        _print_login(login)
    elif not User.objects.exists():
        print("  No agents yet: add the first with `parley createagent --role admin --email … --name …`.", flush=True)
    print(f"  Data: {settings.DATA_DIR}\nPress Ctrl-C to stop.", flush=True)
    return _supervise(children)


def serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="web server processes (default 1)")
    parser.add_argument("--no-demo", action="store_true", help="do not create the demo workspace on first start")
    parser.add_argument("--no-worker", action="store_true",
                        help="web server only; run `parley worker` processes separately (at scale)")
    parser.add_argument("--smtp-port", type=int, metavar="PORT",
                        help="also receive email over SMTP on this port (see `parley smtpd`)")
    parser.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"],
                        help="log level of the web server and the worker (default warning)")


# --- worker ------------------------------------------------------------------------------------------

def worker(args) -> int:
    _django()
    import logging
    import threading

    from parley.core import worker as job_worker

    logging.getLogger("parley").setLevel(args.log_level.upper())
    stop = threading.Event()

    def request_stop(signum, frame) -> None:
        # Finish the jobs in hand, then leave; an unfinished job's lease lets another worker take it.
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    if args.niceness:
        os.nice(args.niceness)
    job_worker.run(concurrency=args.concurrency, stop=stop, schedules=not args.no_schedules)
    return 0


def worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, default=4, metavar="N", help="jobs run at once, in threads (default 4)")
    parser.add_argument("--no-schedules", action="store_true",
                        help="leave the periodic work (IMAP polling, clean-ups) to other workers")
    parser.add_argument("--niceness", type=int, default=10, choices=range(20), metavar="N",
                        help="how much lower than the web server's the worker's CPU priority is, 0-19 (default 10): "
                             "on a machine both share, webhooks, pages and calls are answered first and the jobs take "
                             "the time left over; 0 runs the jobs at the same priority")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])


# --- demo --------------------------------------------------------------------------------------------

def demo(args) -> int:
    _django()
    from parley.core.checks import pending_migrations
    from parley.core.errors import ApplicationError
    from parley.demo.seed import workspace_has_data

    if pending_migrations():
        _migrate()
    if args.reset and workspace_has_data() and not args.yes:
        return _fail("demo", "--reset deletes EVERY agent, customer, conversation and setting in this database "
                             "and then seeds the demo again. Run `parley demo --reset --yes` to confirm.")
    try:
        login = _seed_demo(reset=args.reset, seed=args.seed)
    except ApplicationError as exc:
        return _fail("demo", f"{exc.message} Run `parley demo --reset --yes` to replace everything with the demo.")
    _print_login(login)
    return 0


def demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reset", action="store_true", help="wipe the database first (asks for --yes when it has data)")
    parser.add_argument("--yes", action="store_true", help="confirm that --reset may delete existing data")
    parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same workspace (default 1)")


# --- createagent ------------------------------------------------------------------------------------

def _prompt_password() -> str:
    import getpass

    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password (again): "):
        raise ValueError("the passwords do not match.")
    return password


def createagent(args) -> int:
    _django()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from parley.accounts.services import agent_create
    from parley.core.checks import pending_migrations
    from parley.core.errors import ApplicationError

    if pending_migrations():
        return _fail("createagent", "the database is not set up yet; run `parley migrate` first.")
    try:
        password = args.password if args.password is not None else _prompt_password()
        validate_password(password)
    except ValueError as exc:
        return _fail("createagent", str(exc))
    except ValidationError as exc:
        return _fail("createagent", "password refused: " + " ".join(exc.messages))
    try:
        agent = agent_create(email=args.email, name=args.name, password=password, role=args.role)
    except ApplicationError as exc:
        details = "; ".join(f"{field}: {problem}" for field, problem in exc.extra.items())
        return _fail("createagent", f"{exc.message} ({details}: {args.email})" if details else exc.message)
    print(f"Created {agent.get_role_display().lower()} {agent.name} <{agent.email}>.")
    return 0


def createagent_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True, help="the login")
    parser.add_argument("--name", required=True, help="shown to colleagues and customers")
    parser.add_argument("--role", default="agent", choices=["admin", "supervisor", "agent", "light_agent"],
                        help="admin, supervisor, agent (default) or light_agent (reads and adds notes only)")
    parser.add_argument("--password", help="the password (prompted for when left out, which keeps it out of shell history)")


# --- migrate -----------------------------------------------------------------------------------------

def migrate(args) -> int:
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return 0


def migrate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--verbosity", type=int, default=1, choices=[0, 1, 2], help="how much to print (default 1)")


# --- check -------------------------------------------------------------------------------------------



def check(args) -> int:
    try:
        _django()
    except Exception as exc:
        print(f"problem: the settings do not load: {exc} — fix: correct the environment variable it names")
        return 1
    from django.conf import settings

    from parley.core.checks import configuration_findings, deploy_findings

    findings = configuration_findings(settings) + (deploy_findings(settings) if args.deploy else [])
    for finding in findings:
        print(f"ok: {finding.text}" if finding.ok else f"problem: {finding.text} — fix: {finding.fix}")
    problems = sum(not finding.ok for finding in findings)
    print(f"{problems} problem(s) found." if problems else "Everything looks fine.")
    return 1 if problems else 0


def check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--deploy", action="store_true",
                        help="also check what a public deployment needs (HTTPS, cookies, HSTS, debug, secret key)")


# --- reindex -----------------------------------------------------------------------------------------

def reindex(args) -> int:
    _django()
    from parley.knowledge.search import embeddings
    from parley.knowledge.services import knowledge_reindex

    if embeddings.model() is None:
        print("The embedding model is not installed: indexing full text only (pip install wordllama for semantic search).")

    def progress(done: int, total: int) -> None:
        sys.stdout.write(f"\rIndexed {done}/{total} article translations ({100 * done // max(total, 1)}%)")
        sys.stdout.flush()

    done = knowledge_reindex(progress=progress)
    print(f"\rIndexed {done} article translations.".ljust(60))
    return 0


# --- smtpd -------------------------------------------------------------------------------------------

def smtpd(args) -> int:
    from parley.channels.email.smtpd import main as smtpd_main

    return smtpd_main(["--host", args.host, "--port", str(args.port)])


def smtpd_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2525, help="port to listen on (default 2525)")


# --- rotate-keys -------------------------------------------------------------------------------------

def rotate_keys(args) -> int:
    _django()
    from django.db import transaction

    from parley.accounts.security import two_factor_secrets_rotate
    from parley.accounts.sso import sso_secret_rotate
    from parley.channels.secrets import SecretUnreadable
    from parley.channels.services import inbox_secrets_rotate

    try:
        with transaction.atomic():
            inboxes, apps, sso = inbox_secrets_rotate(), two_factor_secrets_rotate(), sso_secret_rotate()
    except SecretUnreadable as exc:
        return _fail("rotate-keys", f"{exc}; nothing was changed.")
    print(f"Re-encrypted the secrets of {inboxes} inbox(es), {apps} authenticator app(s)"
          f"{' and the single sign-on client secret' if sso else ''} with the first key of PARLEY_ENCRYPTION_KEYS.")
    return 0


# --- rebuild-reports ---------------------------------------------------------------------------------

def rebuild_reports(args) -> int:
    _django()
    from parley.analytics.services import facts_rebuild

    def show(done: int, total: int) -> None:
        print(f"\rRecomputing report facts: {done}/{total} conversations", end="\n" if done == total else "", flush=True)

    count = facts_rebuild(progress=show)
    print(f"Report facts are up to date for {count} conversation(s).")
    return 0


# --- bench -------------------------------------------------------------------------------------------

def bench(args) -> int:
    script = Path(__file__).resolve().parent.parent / "bench" / f"{args.name}.py"
    if not script.is_file():
        return _fail("bench", f"there is no benchmark script bench/{args.name}.py next to this Parley "
                              f"({script.parent}); benchmarks run from a source checkout that has them.", code=2)
    return subprocess.call([sys.executable, str(script), *args.args])


def bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", choices=BENCHMARKS, help="which benchmark")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="passed on to the benchmark script (see its --help)")


# --- the command table ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    run: Callable[[argparse.Namespace], int]
    summary: str
    description: str
    examples: str
    arguments: Callable[[argparse.ArgumentParser], None] | None = None


#: Every sub-command by name. A new command (an SMTP receiver, say) is one more entry here.
COMMANDS: dict[str, Command] = {
    "serve": Command(serve, "run the whole product: web server, background worker and scheduler",
                     "Apply database migrations, create the demo workspace on the first start (when there are no agents "
                     "yet, unless --no-demo), print the address and the admin login, then run the web server (uvicorn) "
                     "and one background worker as child processes. Ctrl-C or SIGTERM stops them all. A worker (or SMTP "
                     "receiver) that dies is restarted, waiting longer each time it keeps dying; if the web server dies, "
                     "the others are stopped too and the exit code is non-zero. With no configuration "
                     "everything lives in the data dir (./var, or PARLEY_DATA_DIR); DATABASE_URL and REDIS_URL switch to "
                     "PostgreSQL and Redis.",
                     "parley serve\n  parley serve --host 0.0.0.0 --port 8080 --workers 4\n  parley serve --no-demo",
                     serve_arguments),
    "worker": Command(worker, "run a background worker (for deployments that scale out)",
                      "Run a worker that processes inbound messages, delivers replies and runs the periodic work "
                      "(IMAP polling, clean-ups). Jobs wait in the database and workers claim them, so any number of "
                      "workers on any number of machines can share one database, and each job and each turn of the "
                      "periodic work runs once. `parley serve` already starts one. With REDIS_URL, idle workers are woken "
                      "through Redis the moment a job is queued; without it they look a few times a second.",
                      "parley worker\n  DATABASE_URL=postgres://parley@db/parley REDIS_URL=redis://cache:6379/0 parley worker --concurrency 8",
                      worker_arguments),
    "demo": Command(demo, "create the demo workspace (or wipe and recreate it)",
                    "Seed a realistic help desk: teams, agents of every role, customers with organizations and segments, "
                    "and about 150 conversations over the past six weeks. It only goes into an empty database; --reset "
                    "deletes everything first and needs --yes when there is data. Prints the admin login.",
                    "parley demo\n  parley demo --reset --yes", demo_arguments),
    "createagent": Command(createagent, "add an agent (admin, supervisor, agent or light agent)",
                           "Create an agent who logs in with the email and password. The password is prompted for "
                           "unless --password is given. An email that is already taken is refused.",
                           "parley createagent --email ana@example.com --name 'Ana Souza' --role admin\n"
                           "  parley createagent --email bo@example.com --name Bo --role light_agent --password '…'",
                           createagent_arguments),
    "migrate": Command(migrate, "apply database migrations",
                       "Create or update the database tables. `parley serve` does this on every start; run it yourself "
                       "before starting several instances or workers against a shared database.",
                       "parley migrate\n  DATABASE_URL=postgres://parley@db/parley parley migrate", migrate_arguments),
    "check": Command(check, "check the configuration and the services it points at",
                     "Check that the database is reachable and migrated, Redis answers, a worker is taking the queued jobs, the data dir "
                     "is writable, a shared secret key is set at scale, PARLEY_BASE_URL matches ALLOWED_HOSTS and the SMTP "
                     "server answers. Each line says ok or names the problem and its fix; the exit code is 1 when there is "
                     "a problem.",
                     "parley check\n  REDIS_URL=redis://cache:6379/0 parley check\n  parley check --deploy",
                     check_arguments),
    "smtpd": Command(smtpd, "receive email over SMTP, straight into the email inboxes",
                     "Run Parley's own SMTP server. Point your mail server's route (or an MX record) for the support "
                     "addresses here: each mail is stored before it is accepted, the recipient address picks the email "
                     "inbox, and unknown recipients are refused with 550. No polling delay, no mailbox to empty.",
                     "parley smtpd --port 2525\n  parley smtpd --host 0.0.0.0 --port 25", smtpd_arguments),
    "rotate-keys": Command(rotate_keys, "re-encrypt every stored secret with the first encryption key",
                           "Re-encrypt the credentials stored in inbox settings (passwords, OAuth2 secrets and tokens, "
                           "provider keys), agents' authenticator app secrets and the single sign-on client secret with "
                           "the first key of PARLEY_ENCRYPTION_KEYS, in one transaction; secrets stored "
                           "before encryption existed are encrypted on the way. To rotate: put a new key first and keep the "
                           "old ones after it, restart, run this, then drop the old keys. See \"Configuration and addresses\" in docs/channels.md.",
                           "parley rotate-keys   (with PARLEY_ENCRYPTION_KEYS=new-key,old-key in the environment)"),
    "rebuild-reports": Command(rebuild_reports, "recompute the facts reports read, for every conversation",
                               "Events keep each conversation's report facts (response times, resolution, the local day and "
                               "hour it was opened) up to date. Run this once after upgrading to a Parley with reports, and "
                               "after changing PARLEY_TIME_ZONE, which moves day and hour boundaries.",
                               "parley rebuild-reports\n  PARLEY_TIME_ZONE=Europe/Berlin parley rebuild-reports"),
    "reindex": Command(reindex, "rebuild the help center's search index (full text and sentence vectors)",
                       "Rebuild the full-text rows and the sentence embeddings of every help-center article translation, "
                       "showing progress. Articles are indexed as they are saved; run this after installing or upgrading the "
                       "embedding model, or after restoring a database backup.",
                       "parley reindex\n  DATABASE_URL=postgres://parley@db/parley parley reindex"),
    "bench": Command(bench, "run a benchmark from the source checkout's bench/ folder",
                     f"Run bench/<name>.py ({', '.join(BENCHMARKS)}) of the source checkout with the same Python, "
                     "passing the remaining arguments on. Each script prints what it measured.",
                     "parley bench ingest\n  parley bench inbox --help", bench_arguments),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parley", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Parley: open-source omnichannel customer service.",
        epilog="Run `parley <command> --help` for a command's options and examples.\n\nexamples:\n  parley serve\n  parley check")
    commands = parser.add_subparsers(dest="command", metavar="<command>", title="commands")
    for name, command in COMMANDS.items():
        sub = commands.add_parser(name, help=command.summary, description=textwrap.fill(command.description, 88),
                                  epilog=f"examples:\n  {command.examples}", formatter_class=argparse.RawDescriptionHelpFormatter)
        if command.arguments:
            command.arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `parley` command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
