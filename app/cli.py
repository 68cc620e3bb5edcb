"""`tongban`: the terminal's command line.

Conventions for every subcommand: exit 0 on success; non-zero with a one-line reason on stderr otherwise;
`--json` for machine-readable output. `--data-dir`/`--config` (or TONGBAN_DATA_DIR/TONGBAN_CONFIG) isolate the
state of one terminal, so several terminals and every test can run side by side.
"""

from __future__ import annotations

import os
import sys

from app import __version__

# Each command imports what it uses, and `--version` nothing of the application, nor argparse, json or typing
# (issue 13): the name alone is enough for type checkers.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    import logging
    from collections.abc import Callable, Sequence
    from typing import Any

    from app.config import Config
    from app.paths import AppPaths


class _CliLog:
    """The `tongban.cli` logger, looked up (and `logging` imported) only when a command logs."""

    def __getattr__(self, name: str) -> Any:
        import logging

        return getattr(logging.getLogger("tongban.cli"), name)


log: logging.Logger = _CliLog()  # type: ignore[assignment]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
#: The hidden first argument that makes this program the kiosk's voice host (ui/kiosk/voice_host.py): the same
#: executable in a venv and in the frozen bundle, started by the kiosk before any of the application is imported.
VOICE_HOST = "--voice-host"


class CliError(Exception):
    """A failure to report as one line on stderr (exit code 1)."""


def _mode_choices() -> list[str]:
    from app.config import Mode

    return [m.value for m in Mode]


class _Skipped:
    """Stands in for the parser of a command other than the one being run: every call is accepted and ignored."""

    def __getattr__(self, _name: str) -> Any:
        return lambda *_args, **_kwargs: self


class _OnlyCommand:
    """`add_subparsers()`'s result, adding only the parser of `command` (the others cost time, not correctness:
    argparse builds a parser, formatter and actions for each of them, issue 13)."""

    def __init__(self, sub: Any, command: str) -> None:
        self._sub, self._command = sub, command

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        return self._sub.add_parser(name, **kwargs) if name == self._command else _Skipped()


#: Global options that take a value (skipped when looking for the command's name).
_VALUE_OPTIONS = frozenset({"--data-dir", "--config", "--mode"})
COMMANDS = (
    "run",
    "status",
    "config",
    "staff",
    "intake",
    "assist",
    "guide",
    "receipt",
    "report",
    "sync",
    "enrol",
    "rotate-key",
    "diagnose",
)


def command_in(argv: Sequence[str]) -> str | None:
    """The command named in `argv` when it is one of ours and no help is asked before it; else None."""
    words = iter(argv)
    for word in words:
        if word in {"-h", "--help"}:
            return None
        if word in _VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


#: Whole command lines that need no parser (issue 13: argparse with gettext is ~5 ms of `status`, which scripts
#: poll): the values argparse gives them (tests/unit/test_cli_parser.py compares).
_PLAIN_COMMAND_LINES: dict[tuple[str, ...], dict[str, Any]] = {
    ("status",): {"command": "status", "json": False},
    ("status", "--json"): {"command": "status", "json": True},
}


def _max_seconds(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


#: Commands whose usual command lines are read without argparse too (`receipt` and `sync --once`, which have a
#: time target of their own): each option once, spelt in full, a value that cannot be taken for an option. Per
#: command: its positionals, its options (None: a flag; else the value's reader, None for a value it refuses),
#: the values argparse defaults to, the options it requires. Anything else (help, `--out=FILE`, `--form`, a
#: repeated option, a bad value) goes to argparse, which parses or refuses it as it always has.
_PLAIN_OPTIONS: dict[str, tuple[tuple[str, ...], dict[str, Callable[[str], Any] | None], dict[str, Any], set[str]]] = {
    "receipt": (
        ("case_no",),
        {"--format": lambda v: v if v in {"pdf", "escpos"} else None, "--out": str},
        {"format": "pdf"},
        {"--out"},
    ),
    "sync": (
        (),
        {"--once": None, "--json": None, "--max-seconds": _max_seconds},
        {"once": False, "json": False, "max_seconds": 300.0},
        {"--once"},
    ),
}


def _a_mode(text: str) -> str | None:
    return text if text in _mode_choices() else None


#: A start's command line (no command: the window), read without argparse too: `tongban`, `tongban --mode kiosk`
#: as the kiosk's autostart and shortcuts run it, with `--data-dir`/`--config`. Building the whole parser (18
#: subparsers) cost a start ~5 ms (issue 12's and 13's start targets).
_PLAIN_START: tuple[tuple[str, ...], dict[str, Callable[[str], Any] | None], dict[str, Any], set[str]] = (
    (),
    {"--data-dir": str, "--config": str, "--mode": _a_mode, "--exit-when-idle": None},
    {"command": None},
    set(),
)


def _option_value(read: Callable[[str], Any], text: str | None) -> Any:
    """An option's value as `read` takes it; None for a missing one or one argparse might take for an option."""
    if not text or text.startswith("-"):
        return None
    return read(text)


def _parse_plain_options(argv: Sequence[str]) -> dict[str, Any] | None:
    start = not argv or argv[0].startswith("-")
    spec = _PLAIN_START if start else _PLAIN_OPTIONS.get(argv[0])
    if spec is None:
        return None
    command, rest = ({}, argv) if start else ({"command": argv[0]}, argv[1:])
    positionals, options, defaults, required = spec
    values: dict[str, Any] = {**command, **defaults}
    seen: set[str] = set()
    given: list[str] = []
    words = iter(rest)
    for word in words:
        if not word.startswith("-"):
            given.append(word)
            continue
        if word not in options or word in seen:
            return None
        seen.add(word)
        read = options[word]
        value = True if read is None else _option_value(read, next(words, None))
        if value is None:
            return None
        values[word[2:].replace("-", "_")] = value
    if len(given) != len(positionals) or not required <= seen:
        return None
    values.update(zip(positionals, given, strict=True))
    return values


def parse_plain(argv: Sequence[str]) -> argparse.Namespace | None:
    """The parsed arguments of a command line in _PLAIN_COMMAND_LINES, of a usual `receipt` or `sync` command line
    (_PLAIN_OPTIONS) or of a start (_PLAIN_START), without argparse; else None."""
    values = _PLAIN_COMMAND_LINES.get(tuple(argv)) or _parse_plain_options(argv)
    if values is None:
        return None
    from types import SimpleNamespace

    namespace = SimpleNamespace(**{"data_dir": None, "config": None, "mode": None, "exit_when_idle": False, **values})
    return namespace  # type: ignore[return-value]  # read like a Namespace (attributes only)


def _terminal_columns() -> int:
    """`shutil.get_terminal_size().columns` without importing shutil (with bz2 and lzma: ~5 ms, issue 13)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _parser_class() -> type[argparse.ArgumentParser]:
    """ArgumentParser whose help is as wide as argparse makes it, measured without shutil."""
    import argparse

    class Formatter(argparse.HelpFormatter):
        def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
            super().__init__(
                prog, indent_increment, max_help_position, _terminal_columns() - 2 if width is None else width
            )

    class Parser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("formatter_class", Formatter)
            super().__init__(*args, **kwargs)

    return Parser


def _global_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    import argparse

    parser.add_argument("--version", action="version", version=f"tongban-terminal {__version__}")
    parser.add_argument("--data-dir", help="data directory (default: the user data dir; env TONGBAN_DATA_DIR)")
    parser.add_argument("--config", help="config file (default: the user config dir; env TONGBAN_CONFIG)")
    parser.add_argument("--mode", choices=_mode_choices(), help="override the configured mode")
    parser.add_argument("--exit-when-idle", action="store_true", help=argparse.SUPPRESS)
    return parser


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with `only`, the global options and that command's parser alone."""

    parser = _global_options(_parser_class()(prog="tongban", description="通办终端 Tongban Terminal"))
    sub: Any = parser.add_subparsers(dest="command", metavar="COMMAND")
    if only is not None:
        sub = _OnlyCommand(sub, only)

    sub.add_parser("run", help="start the terminal window (the default)")

    status = sub.add_parser("status", help="data dir, schema version, cases, sync queue")
    status.add_argument("--json", action="store_true", help="machine-readable output")

    config = sub.add_parser("config", help="show the effective configuration and every key")
    config.add_argument("--json", action="store_true", help="machine-readable output")

    staff = sub.add_parser("staff", help="manage the clerks who may sign in (PIN asked twice, never as argument)")
    staff_sub = staff.add_subparsers(dest="staff_action", metavar="ACTION", required=True)
    staff_add = staff_sub.add_parser("add", help="add a clerk")
    staff_add.add_argument("staff_no")
    staff_add.add_argument("display_name")
    staff_add.add_argument(
        "--role", choices=["clerk", "admin"], default="clerk", help="admin may enrol, change keys and manage staff"
    )
    staff_list = staff_sub.add_parser("list", help="list clerks")
    staff_list.add_argument("--json", action="store_true", help="machine-readable output")
    staff_disable = staff_sub.add_parser("disable", help="disable a clerk")
    staff_disable.add_argument("staff_no")
    staff_role = staff_sub.add_parser("role", help="make a member a clerk or an admin")
    staff_role.add_argument("staff_no")
    staff_role.add_argument("role", choices=["clerk", "admin"])

    _assist_parser(sub)
    guide = sub.add_parser("guide", help="办事指南: the materials for an applicant's situation, or the next question")
    guide.add_argument("item_code", metavar="ITEM_CODE", help="an item code, or a 一件事 bundle code")
    guide.add_argument(
        "--answer", action="append", default=[], metavar="QID=OPTION", help="a 情形 answer (repeat for several)"
    )
    guide.add_argument("--json", action="store_true", help="machine-readable output")
    guide.add_argument("--out", help="also write the 一次性告知单 (when every question is answered) to this file")
    guide.add_argument("--format", choices=["pdf", "escpos"], default="pdf", help="A4 PDF or thermal ESC/POS")

    receipt = sub.add_parser("receipt", help="render an existing case's receipt (reprint rules apply)")
    receipt.add_argument("case_no")
    receipt.add_argument("--format", choices=["pdf", "escpos"], default="pdf")
    receipt.add_argument("--out", required=True, help="output file")

    report = sub.add_parser("report", help="daily report (日结) for a date")
    report.add_argument("--date", required=True, help="YYYY-MM-DD")
    report.add_argument("--format", choices=["csv", "pdf"], default="csv")
    report.add_argument("--out", required=True, help="output file")
    sync = sub.add_parser("sync", help="drain the outbox to the platform and pull updates")
    sync.add_argument("--once", action="store_true", required=True, help="one drain and pull, then exit")
    sync.add_argument("--json", action="store_true", help="machine-readable summary")
    sync.add_argument("--max-seconds", type=float, default=300.0, help="give up after this long (default 300)")

    enrol = sub.add_parser("enrol", help="enrol this terminal with the platform using a one-time code")
    enrol.add_argument("--url", required=True, help="platform base URL")
    enrol.add_argument("--code", required=True, help="one-time code from `tongban-central enrol`")

    _add_maintenance_commands(sub)
    return parser


def _add_maintenance_commands(sub: Any) -> None:
    sub.add_parser("rotate-key", help="rotate this terminal's signing key (two-step, crash-safe)")
    diagnose = sub.add_parser("diagnose", help="write a support archive (versions, config, counts, log tail)")
    diagnose.add_argument("--out", required=True, help="zip file to write (holds no personal data)")


#: Commands run as the process's own command line that start with the cycle collector off (issue 13): their
#: imports make ~100,000 objects, and each collection while they start walks all of them again (~15 ms of
#: `receipt --format pdf`, ~50 collections before `sync --once` sends). `exit`: a command that does one bounded
#: piece of work and ends (its garbage is a few cycles, freed with the process) leaves the collector off and
#: freezes everything at exit (`gc.freeze`: the interpreter's last collections, ~20 ms, skip it; modules are still
#: torn down, so Qt's objects, the store and the log close as before). `started`: a command that may run long
#: (`sync --once` drains for up to --max-seconds) turns it back on once its work begins (`_collect_again`).
_COLLECTOR_OFF_UNTIL = {"receipt": "exit", "sync": "started"}


def _start_without_collection(command: str | None) -> None:
    """The cycle collector off for `command`'s start (see _COLLECTOR_OFF_UNTIL). Only for the process's own command
    line (`main()` without `argv`): a caller in a longer process (a test) keeps its collector."""
    until = _COLLECTOR_OFF_UNTIL.get(command or "")
    if until is None:
        return
    import gc

    gc.disable()
    if until == "exit":
        import atexit

        atexit.register(gc.freeze)


def _collect_again() -> None:
    """The cycle collector back on for a command that started without it (`started` in _COLLECTOR_OFF_UNTIL): what
    the start made (modules, classes, the engine) is frozen first, out of reach of every later collection, as it
    stays until the exit anyway."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _before_the_application(arguments: list[str]) -> int | None:
    """The exit code of a command line run before (and without) importing the application; None for the others."""
    if arguments == ["--version"]:
        print(f"tongban-terminal {__version__}")
        return EXIT_OK
    if arguments[:1] == [VOICE_HOST]:  # the kiosk's voice engine, in a process of its own (ui/kiosk/voice.py)
        from ui.kiosk.voice_host import main as voice_host

        return voice_host(arguments[1:])
    return None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    early = _before_the_application(arguments)
    if early is not None:
        return early
    if argv is None:
        _start_without_collection(command_in(arguments))
    from app import compile_cache

    compile_cache.install()  # before the first dataclass and pattern: each command builds tens of them (issue 13)
    from app.config import ConfigError, load_config
    from app.logs import setup_logging
    from app.paths import resolve_paths

    args = parse_plain(arguments) or build_parser(only=command_in(arguments)).parse_args(arguments)
    paths = resolve_paths(data_dir=args.data_dir, config_file=args.config)
    try:
        config = load_config(paths.config_file)
    except ConfigError as exc:
        print(f"tongban: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if config.data_dir and not args.data_dir and not os.environ.get("TONGBAN_DATA_DIR"):
        paths = resolve_paths(data_dir=config.data_dir, config_file=str(paths.config_file))
    try:
        paths.ensure()
        setup_logging(paths.log_dir, level=config.log_level)
    except OSError as exc:
        print(f"tongban: 无法创建数据或日志目录: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    from app.domain import hall_time
    from app.sync.credentials import apply_enrolled_identity

    hall_time.configure(config.hall_timezone)  # every time shown, printed or reported is the hall's
    config = apply_enrolled_identity(config, paths.data_dir)

    command: str = args.command or "run"
    handlers: dict[str, Callable[[argparse.Namespace, Config, AppPaths], int]] = {
        "run": _cmd_run,
        "status": _cmd_status,
        "config": _cmd_config,
        "staff": _cmd_staff,
        "intake": _cmd_intake,
        "assist": _cmd_assist,
        "guide": _cmd_guide,
        "receipt": _cmd_receipt,
        "report": _cmd_report,
        "sync": _cmd_sync,
        "enrol": _cmd_enrol,
        "rotate-key": _cmd_rotate_key,
        "diagnose": _cmd_diagnose,
    }
    try:
        return handlers[command](args, config, paths)
    except CliError as exc:
        log.error("command %s failed: %s", command, exc)
        print(f"tongban {command}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        # A UserFacingError can only come from a command that imported app.services.errors (which imports Qt):
        # look it up rather than import it for every command.
        errors = sys.modules.get("app.services.errors")
        if errors is None or not isinstance(exc, errors.UserFacingError):
            raise
        log.error("command %s failed: %s", command, exc.detail or "user-facing error")
        print(f"tongban {command}: {exc}", file=sys.stderr)
        return EXIT_FAILURE


def _cmd_run(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    from app.config import Mode
    from ui.app import start_terminal

    mode = Mode(args.mode) if args.mode else config.mode
    log.info("starting terminal %s in %s mode", __version__, mode.value)
    exit_code: int = start_terminal(config=config, paths=paths, mode=mode, exit_when_idle=args.exit_when_idle)
    return exit_code


def _cmd_status(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    import json

    from app.services.terminal_status import StoreError, read_status

    try:
        status = read_status(config=config, paths=paths)
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        for key, value in status.items():
            print(f"{key}: {value}")
    return EXIT_OK


def _cmd_config(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    import json

    from app.config import describe_keys

    effective: dict[str, Any] = config.as_dict()
    if args.json:
        print(json.dumps({"config_file": str(paths.config_file), "config": effective}, ensure_ascii=False))
        return EXIT_OK
    print(f"# config file: {paths.config_file}")
    for key, description, _default in describe_keys():
        value: Any = effective
        for part in key.split("."):
            value = value[part]
        print(f"{key} = {json.dumps(value, ensure_ascii=False)}  # {description}")
    return EXIT_OK


def _cmd_staff(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    from app.services.staff_cli import staff_command

    return staff_command(
        paths=paths,
        action=args.staff_action,
        out=sys.stdout,
        staff_no=getattr(args, "staff_no", ""),
        display_name=getattr(args, "display_name", ""),
        as_json=getattr(args, "json", False),
        role=getattr(args, "role", "clerk"),
    )


def _cmd_intake(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    from pathlib import Path

    from app.services.intake_cli import intake_command

    return intake_command(
        config=config, paths=paths, json_file=Path(args.file), json_output=args.result_json, out=sys.stdout
    )


def _assist_parser(sub: Any) -> None:
    """`intake` and `assist`: scripted records from a JSON file."""
    intake = sub.add_parser("intake", help="store cases from a JSON file (docs/intake.md), validated like the form")
    # The issue names the input `--json FILE`; the machine-readable result is therefore `--result-json`.
    intake.add_argument("--json", dest="file", required=True, metavar="FILE", help="one case or a list, as JSON")
    intake.add_argument("--result-json", action="store_true", help="machine-readable result")
    assist = sub.add_parser("assist", help="帮办: record online filings a clerk helped with, from a JSON file")
    assist.add_argument("--json", dest="file", required=True, metavar="FILE", help="one record or a list, as JSON")
    assist.add_argument("--result-json", action="store_true", help="machine-readable result")


def _cmd_assist(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    from pathlib import Path

    from app.services.assist import assist_command

    return assist_command(
        config=config, paths=paths, json_file=Path(args.file), json_output=args.result_json, out=sys.stdout
    )


def _cmd_guide(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    import json

    from app.services.catalogue import CatalogueService
    from app.services.guide import guide_for, parse_answer_args

    answers = parse_answer_args(args.answer)
    catalogue = CatalogueService(paths.data_dir)
    item = catalogue.get(args.item_code.strip())
    bundle = catalogue.bundle(args.item_code.strip()) if item is None else None
    if bundle is not None:  # 一件事: its questions and its members', then shared and own documents
        from app.services.guide import bundle_guide_for

        found = bundle_guide_for(bundle, catalogue.get, answers)
        print(json.dumps(found.as_json(), ensure_ascii=False, indent=2) if args.json else "\n".join(found.as_lines()))
        return EXIT_OK
    if item is None:
        raise CliError(f"没有编码为 {args.item_code[:40]} 的事项")
    guide = guide_for(item, answers)
    if args.out:
        if guide.next_question is not None:
            raise CliError(f"还有情形问题未回答，不能输出告知单（请先回答：{guide.next_question.text}）")
        import datetime as dt
        from pathlib import Path

        from app.services.guide import guide_document, write_guide_document
        from app.services.receipt_cli import hall_context

        doc = guide_document(guide, hall=hall_context(config), now=dt.datetime.now(dt.UTC))
        write_guide_document(doc, fmt=args.format, out=Path(args.out), printer=config.printer)
    if args.json:
        print(json.dumps(guide.as_json(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(guide.as_lines()))
    return EXIT_OK


def _cmd_receipt(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    from pathlib import Path

    if args.format == "pdf":  # Qt paints the A4 page: without PySide6's source scan of every later import (~40 %)
        import ui.qt_imports  # noqa: F401

    from app.services.receipt_cli import ReceiptCommandError, receipt_command

    try:
        return receipt_command(config=config, paths=paths, case_no=args.case_no, fmt=args.format, out=Path(args.out))
    except ReceiptCommandError as exc:
        raise CliError(exc.message) from exc


def _cmd_report(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    from app.services.report import report_command

    return report_command(config=config, paths=paths, date=args.date, fmt=args.format, out=args.out)


def _cmd_sync(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    from app.sync.cli_handlers import sync_once_command

    return sync_once_command(
        config=config, paths=paths, json_output=args.json, max_seconds=args.max_seconds, started=_collect_again
    )


def _cmd_enrol(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    from app.services.staff import ADMIN_ENROL
    from app.services.staff_cli import authorise_admin_cli
    from app.sync.cli_handlers import enrol_command

    authorise_admin_cli(paths=paths, action=ADMIN_ENROL)  # an admin's number + PIN once an admin exists
    return enrol_command(config=config, paths=paths, url=args.url, code=args.code)


def _cmd_rotate_key(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    from app.services.staff import ADMIN_ROTATE_KEY
    from app.services.staff_cli import authorise_admin_cli
    from app.sync.cli_handlers import rotate_key_command

    authorise_admin_cli(paths=paths, action=ADMIN_ROTATE_KEY)
    return rotate_key_command(config=config, paths=paths)


def _cmd_diagnose(args: argparse.Namespace, config: Config, paths: AppPaths) -> int:
    from pathlib import Path

    from app.services.diagnose import diagnose_command

    return diagnose_command(config=config, paths=paths, out=Path(args.out), stdout=sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
