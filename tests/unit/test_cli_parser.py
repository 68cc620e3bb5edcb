"""`tongban` builds the parser of the command it runs only (issue 13): the same arguments parse to the same values
as with the whole command line, help and unknown commands still see every command."""

from __future__ import annotations

import pytest

from app.cli import _PLAIN_COMMAND_LINES, COMMANDS, build_parser, command_in, parse_plain

SAMPLES = [
    ["run"],
    ["--data-dir", "/tmp/t", "status", "--json"],
    ["--config", "status", "config"],  # an option's value that looks like a command is not the command
    ["--mode=kiosk", "config", "--json"],
    ["staff", "add", "S0042", "张三", "--role", "admin"],
    ["staff", "list", "--json"],
    ["staff", "role", "S0042", "clerk"],
    ["intake", "--json", "cases.json", "--result-json"],
    ["assist", "--json", "a.json"],
    ["guide", "210800-SB-0012", "--answer", "q1=是", "--json", "--out", "g.pdf", "--format", "escpos"],
    ["receipt", "21080001003202611240000127", "--format", "escpos", "--out", "r.bin"],
    ["report", "--date", "2026-12-01", "--format", "pdf", "--out", "d.pdf"],
    ["sync", "--once", "--json", "--max-seconds", "5"],
    ["enrol", "--url", "http://127.0.0.1:8000", "--code", "ABCD"],
    ["rotate-key"],
    ["diagnose", "--out", "d.zip"],
]


@pytest.mark.parametrize("argv", SAMPLES, ids=" ".join)
def test_the_command_alone_parses_like_the_whole_command_line(argv: list[str]) -> None:
    only = command_in(argv)
    assert only is not None and only in COMMANDS
    assert build_parser(only=only).parse_args(argv) == build_parser().parse_args(argv)


@pytest.mark.parametrize("argv", [list(line) for line in _PLAIN_COMMAND_LINES], ids=" ".join)
def test_a_plain_command_line_reads_as_argparse_reads_it(argv: list[str]) -> None:
    assert vars(parse_plain(argv)) == vars(build_parser().parse_args(argv))


#: `receipt` and `sync --once` as scripts and admins type them, and a start: read without argparse (issues 12, 13), to
#: the same values.
PLAIN_WITH_VALUES = [
    ["receipt", "21080001003202611240000127", "--format", "escpos", "--out", "r.bin"],
    ["receipt", "21080001003202611240000127", "--out", "r.pdf"],
    ["receipt", "--out", "slip 1.bin", "--format", "pdf", "21080001003202611240000127"],
    ["sync", "--once"],
    ["sync", "--once", "--max-seconds", "5"],
    ["sync", "--max-seconds", "0.2", "--json", "--once"],
    ["sync", "--once", "--max-seconds", "1e3"],
    # a start (the window), as the autostart, the shortcuts and the benches run it
    [],
    ["--mode", "kiosk"],
    ["--mode", "counter", "--exit-when-idle"],
    ["--exit-when-idle", "--mode", "rating"],
    ["--data-dir", "/tmp/t", "--config", "/tmp/t/c.toml", "--mode", "kiosk"],
]


@pytest.mark.parametrize("argv", PLAIN_WITH_VALUES, ids=" ".join)
def test_a_usual_receipt_or_sync_command_line_reads_as_argparse_reads_it(argv: list[str]) -> None:
    plain = parse_plain(argv)
    assert plain is not None, "read without argparse"
    assert vars(plain) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["status", "--js"],
        ["--data-dir", "/tmp/t", "status"],
        ["status", "-h"],
        ["--mode", "kiosks"],  # argparse refuses the mode
        ["--mode", "kiosk", "--mode", "counter"],
        ["--mode"],
        ["--mode=kiosk"],
        ["--data-dir", "--mode", "kiosk"],
        ["--mode", "kiosk", "-h"],
        ["--mode", "kiosk", "run"],
        ["receipt", "2108", "--format", "png", "--out", "r"],  # argparse refuses the format
        ["receipt", "2108", "--format", "escpos"],  # --out is required
        ["receipt", "2108", "--out=r.bin"],
        ["receipt", "2108", "--form", "pdf", "--out", "r"],  # an abbreviation: argparse's to resolve
        ["receipt", "2108", "extra", "--out", "r"],
        ["receipt", "2108", "--out", "-r"],
        ["receipt", "2108", "--out", "a", "--out", "b"],
        ["receipt", "2108", "--out", "r", "-h"],
        ["sync", "--json"],  # --once is required
        ["sync", "--once", "--max-seconds", "soon"],
        ["sync", "--once", "--max-seconds", "-1"],
        ["sync", "--once", "--max-seconds"],
    ],
)
def test_any_other_command_line_goes_to_argparse(argv: list[str]) -> None:
    assert parse_plain(argv) is None


@pytest.mark.parametrize(
    "argv",
    [
        ["receipt", "2108", "--format", "png", "--out", "r"],
        ["receipt", "2108", "--format", "escpos"],
        ["sync", "--json"],
        ["sync", "--once", "--max-seconds", "soon"],
        ["--mode", "kiosks"],
    ],
)
def test_a_command_line_argparse_refuses_is_still_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_plain(argv) or build_parser(only=command_in(argv)).parse_args(argv)
    assert exited.value.code == 2


def test_every_command_is_known_to_the_dispatch() -> None:
    full = build_parser()
    sub = next(a for a in full._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "argv",
    [["--help", "status"], ["-h"], [], ["recipt", "x"], ["--data", "/tmp/t", "status"], ["--exit-when-idle"]],
)
def test_help_unknown_or_no_command_builds_the_whole_command_line(argv: list[str]) -> None:
    assert command_in(argv) is None


def test_an_unknown_command_is_refused_with_every_command_listed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser(only=command_in(["recipt"])).parse_args(["recipt"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert all(f"'{name}'" in err for name in COMMANDS)


@pytest.mark.parametrize("columns", ["60", "132"])
def test_help_is_as_wide_as_argparse_makes_it(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    """The terminal width is measured without shutil; the help reads exactly as argparse's own formatter has it."""
    import argparse

    import app.cli

    monkeypatch.setenv("COLUMNS", columns)
    ours = build_parser().format_help()
    monkeypatch.setattr(app.cli, "_parser_class", lambda: argparse.ArgumentParser)
    assert ours == build_parser().format_help()
    assert max(len(line) for line in ours.splitlines()) <= int(columns)
