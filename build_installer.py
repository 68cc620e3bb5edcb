"""Build the distributable bundles and installers of Tongban Terminal (docs/install.md).

    python build_installer.py                 # everything this OS can build, into dist/
    python build_installer.py --help          # options

Artifacts (each printed with its path and size):
- `bundle`: the terminal frozen with PyInstaller into one folder (`dist/bundle/tongban/`): Python, Qt with the
  plugins it uses, the shipped font, catalogue, holidays, theme and translations; no tests, no development tools,
  no server stack (FastAPI/uvicorn/SQLAlchemy are the platform's: pyproject's `central` extra).
- `deb` (Linux): `tongban-terminal_<version>_amd64.deb` — the bundle under /opt/tongban-terminal, `tongban` on
  PATH, desktop entry and icon, opt-in kiosk autostart, default config /etc/tongban/config.toml (a conffile).
- `central` (Linux): `tongban-central_<version>_amd64.deb` — the platform frozen the same way, a systemd unit
  running as its own user, /etc/tongban-central/central.env for the database URL and address, `migrate` on install
  and upgrade, a sample nginx TLS site.
- `windows`: `windows/tongban.nsi`, the NSIS installer script; compiled with `makensis` into
  `tongban-terminal-<version>-setup.exe` where makensis exists (on Windows the payload is this OS's bundle; on
  Linux pass `--nsis-payload DIR` to compile it against another folder, e.g. a placeholder in the tests).

PyInstaller runs under `nice` (default 10) on POSIX: build machines are shared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PACKAGING = ROOT / "packaging"
TERMINAL_PACKAGE = "tongban-terminal"
CENTRAL_PACKAGE = "tongban-central"
TARGETS = ("bundle", "deb", "central", "windows")

#: What the terminal bundle takes from the system rather than carrying it (PyInstaller leaves out the C library
#: and the graphics stack, which must match the machine's drivers), by Debian package. The build checks that
#: every shared library the bundle needs and does not carry belongs to one of these (see `system_libraries`).
TERMINAL_DEPENDS = (
    "libc6",  # versioned by the newest GLIBC symbol the bundle uses
    "libgl1",  # libGL.so.1 (GLX, through libglvnd)
    "libegl1",  # libEGL.so.1
    "libdrm2",  # libdrm.so.2 (QtMultimedia's FFmpeg, for the kiosk's sounds)
    "libxcb1",  # libxcb.so.1: the X connection (the xcb-* helper libraries are bundled)
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "fontconfig-config",  # /etc/fonts/fonts.conf for the bundled libfontconfig
    "xkb-data",  # keyboard layouts for the bundled libxkbcommon
    "libx11-data",  # X locale data for the bundled libX11
)
CENTRAL_DEPENDS = ("libc6",)
#: Libraries that only optional Qt plugins need, with their Debian packages: recommended, not required (without
#: them the plugin does not load and the feature is off: voice guidance needs speech-dispatcher). The build
#: machine need not have them.
OPTIONAL_LIBRARIES = {"libspeechd.so.2": "libspeechd2"}
#: The kiosk's voice needs the server, its espeak-ng output module (a package of its own, which speech-dispatcher
#: only recommends: without it there is no Mandarin voice) and espeak-ng itself (docs/kiosk.md).
TERMINAL_RECOMMENDS = (
    "cups-client",
    "libspeechd2",
    "speech-dispatcher",
    "speech-dispatcher-espeak-ng",
    "espeak-ng",
)
#: Loader names that are not ordinary packages' files.
_IGNORED_SYSTEM_LIBS = ("ld-linux", "linux-vdso")


def app_version() -> str:
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("build_installer.py: no __version__ in app/__init__.py")
    return match.group(1)


@dataclass(frozen=True)
class Options:
    out: Path
    work: Path
    version: str
    targets: tuple[str, ...]
    nice: int
    compression: str
    bundle_dir: Path | None
    central_bundle_dir: Path | None
    nsis_payload: Path | None


# --- PyInstaller -----------------------------------------------------------------------------------------------


def run_pyinstaller(spec: Path, *, dist: Path, work: Path, nice: int) -> None:
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    command += ["--distpath", str(dist), "--workpath", str(work), str(spec)]
    if nice and os.name == "posix" and shutil.which("nice"):
        command = ["nice", "-n", str(nice), *command]
    say(f"running PyInstaller on {spec.name} (a minute or two)")
    subprocess.run(command, check=True, cwd=ROOT)


def build_bundle(opts: Options, spec_name: str, name: str, reuse: Path | None) -> Path:
    if reuse is not None:
        if not (reuse / (name + (".exe" if os.name == "nt" else ""))).exists():
            raise SystemExit(f"build_installer.py: {reuse} holds no {name} bundle")
        return reuse
    dist = opts.out / "bundle"
    run_pyinstaller(PACKAGING / spec_name, dist=dist, work=opts.work / "pyinstaller", nice=opts.nice)
    return dist / name


# --- what the bundle needs from the system ----------------------------------------------------------------------


def _elf_files(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def system_libraries(bundle: Path) -> tuple[dict[str, list[str]], str]:
    """({library needed but not carried: [files needing it]}, newest GLIBC symbol version used)."""
    carried = {path.name for path in bundle.rglob("*")}
    needed: dict[str, list[str]] = {}
    newest = (0, 0)
    for elf in _elf_files(bundle):
        dynamic = subprocess.run(["readelf", "-dW", str(elf)], capture_output=True, text=True, check=True).stdout
        for lib in re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic):
            if lib not in carried and not lib.startswith(_IGNORED_SYSTEM_LIBS):
                needed.setdefault(lib, []).append(str(elf.relative_to(bundle)))
        versions = subprocess.run(["readelf", "-VW", str(elf)], capture_output=True, text=True, check=True).stdout
        for found in re.findall(r"GLIBC_(\d+)\.(\d+)", versions):
            newest = max(newest, (int(found[0]), int(found[1])))
    return needed, f"{newest[0]}.{newest[1]}"


def debian_package_of(library: str) -> str:
    """The Debian package that owns `library` on this (build) machine."""
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        parts = line.strip().split(" => ")
        if len(parts) == 2 and parts[0].split(" ")[0] == library and "x86-64" in parts[0]:
            owner = subprocess.run(["dpkg", "-S", parts[1]], capture_output=True, text=True, check=False)
            if owner.returncode == 0:
                return owner.stdout.split(":", 1)[0].strip()
            real = os.path.realpath(parts[1])
            owner = subprocess.run(["dpkg", "-S", real], capture_output=True, text=True, check=False)
            if owner.returncode == 0:
                return owner.stdout.split(":", 1)[0].strip()
    raise SystemExit(f"build_installer.py: no Debian package provides {library} on this machine")


def depends_line(bundle: Path, declared: Sequence[str]) -> str:
    """The control file's Depends, after checking that `declared` covers every library the bundle needs."""
    needed, glibc = system_libraries(bundle)
    missing = {}
    for library, users in sorted(needed.items()):
        if library in OPTIONAL_LIBRARIES:
            continue
        package = debian_package_of(library)
        if package.split(":")[0] not in declared:
            missing[library] = (package, users[:3])
    if missing:
        lines = [f"  {lib} (package {pkg}, needed by {', '.join(users)})" for lib, (pkg, users) in missing.items()]
        raise SystemExit("build_installer.py: the bundle needs libraries not in its Depends:\n" + "\n".join(lines))
    return ", ".join(f"libc6 (>= {glibc})" if name == "libc6" else name for name in declared)


# --- .deb -------------------------------------------------------------------------------------------------------


def default_config_text() -> str:
    """/etc/tongban/config.toml: every key commented out with its default and description (the schema's own)."""
    sys.path.insert(0, str(ROOT))
    from app.config import describe_keys

    lines = [
        "# Tongban Terminal settings for every user of this computer (tongban-terminal package).",
        "# Uncomment and change what this terminal needs; `tongban config` shows the effective values.",
        "# Upgrades keep this file; `dpkg --purge tongban-terminal` removes it.",
        "# Environment overrides: TONGBAN_<KEY>, TONGBAN_<SECTION>__<KEY>; a user's own file: TONGBAN_CONFIG.",
        "",
    ]
    section = ""
    for key, description, default in describe_keys():
        if "." in key:
            head, name = key.split(".", 1)
            if head != section:
                section = head
                lines += ["", f"[{head}]"]
        else:
            name = key
        lines.append(f"# {description}")
        lines.append(f"# {name} = {_toml_value(default)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(getattr(value, "value", value)), ensure_ascii=False)


def _copy(src: Path, dest: Path, mode: int) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    dest.chmod(mode)


def _write(dest: Path, text: str, mode: int = 0o644) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")
    dest.chmod(mode)


def _copy_tree(src: Path, dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, symlinks=True)


def _installed_size_kib(root: Path) -> int:
    total = sum(p.lstat().st_size for p in root.rglob("*") if p.is_file() or p.is_symlink())
    return (total + 1023) // 1024


def _fill(template: Path, values: dict[str, str]) -> str:
    text = template.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    leftover = re.findall(r"@[A-Z_]+@", text)
    if leftover:
        raise SystemExit(f"build_installer.py: {template.name} has unfilled {leftover}")
    return text


def _dpkg_deb(tree: Path, out: Path, *, compression: str, nice: int) -> Path:
    for path in [tree, *tree.rglob("*")]:  # dpkg-deb wants sane modes; the umask may have left group write
        if path.is_dir():
            path.chmod(0o755)
    command = ["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", str(tree), str(out)]
    if nice and os.name == "posix" and shutil.which("nice"):
        command = ["nice", "-n", str(nice), *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return out


def build_terminal_deb(bundle: Path, opts: Options) -> Path:
    tree = opts.work / "deb" / TERMINAL_PACKAGE
    if tree.exists():
        shutil.rmtree(tree)
    src = PACKAGING / "deb" / "terminal"
    _copy_tree(bundle, tree / "opt" / TERMINAL_PACKAGE)
    _copy(src / "tongban", tree / "usr" / "bin" / "tongban", 0o755)
    _copy(src / "tongban-autostart", tree / "usr" / "bin" / "tongban-autostart", 0o755)
    _copy(src / "tongban.desktop", tree / "usr" / "share" / "applications" / "tongban.desktop", 0o644)
    for size in (256, 48):
        icon = tree / "usr" / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "tongban.png"
        _copy(PACKAGING / "icons" / f"tongban-{size}.png", icon, 0o644)
    _copy(src / "tongban-kiosk.desktop", tree / "etc" / "xdg" / "autostart" / "tongban-kiosk.desktop", 0o644)
    _write(tree / "etc" / "tongban" / "config.toml", default_config_text())
    docs = tree / "usr" / "share" / "doc" / TERMINAL_PACKAGE
    _copy(ROOT / "docs" / "install.md", docs / "install.md", 0o644)
    _write(docs / "copyright", _copyright())
    control = tree / "DEBIAN"
    control.mkdir(parents=True)
    _copy(src / "postrm", control / "postrm", 0o755)
    _write(control / "conffiles", "/etc/tongban/config.toml\n/etc/xdg/autostart/tongban-kiosk.desktop\n")
    values = {
        "VERSION": opts.version,
        "INSTALLED_SIZE": str(_installed_size_kib(tree)),
        "DEPENDS": depends_line(bundle, TERMINAL_DEPENDS),
        "RECOMMENDS": ", ".join(TERMINAL_RECOMMENDS),
    }
    _write(control / "control", _fill(src / "control.in", values))
    return _dpkg_deb(
        tree, opts.out / f"{TERMINAL_PACKAGE}_{opts.version}_amd64.deb", compression=opts.compression, nice=opts.nice
    )


def build_central_deb(bundle: Path, opts: Options) -> Path:
    tree = opts.work / "deb" / CENTRAL_PACKAGE
    if tree.exists():
        shutil.rmtree(tree)
    src = PACKAGING / "deb" / "central"
    _copy_tree(bundle, tree / "opt" / CENTRAL_PACKAGE)
    _copy(src / "tongban-central", tree / "usr" / "bin" / "tongban-central", 0o755)
    _copy(src / "tongban-central.service", tree / "lib" / "systemd" / "system" / "tongban-central.service", 0o644)
    _copy(src / "central.env", tree / "etc" / "tongban-central" / "central.env", 0o640)
    docs = tree / "usr" / "share" / "doc" / CENTRAL_PACKAGE
    _copy(src / "nginx-tongban-central.conf", docs / "examples" / "nginx-tongban-central.conf", 0o644)
    _copy(ROOT / "docs" / "install.md", docs / "install.md", 0o644)
    _copy(ROOT / "docs" / "central.md", docs / "central.md", 0o644)
    _write(docs / "copyright", _copyright())
    control = tree / "DEBIAN"
    control.mkdir(parents=True)
    for script in ("postinst", "prerm", "postrm"):
        _copy(src / script, control / script, 0o755)
    _write(control / "conffiles", "/etc/tongban-central/central.env\n")
    values = {
        "VERSION": opts.version,
        "INSTALLED_SIZE": str(_installed_size_kib(tree)),
        "DEPENDS": depends_line(bundle, CENTRAL_DEPENDS),
    }
    _write(control / "control", _fill(src / "control.in", values))
    return _dpkg_deb(
        tree, opts.out / f"{CENTRAL_PACKAGE}_{opts.version}_amd64.deb", compression=opts.compression, nice=opts.nice
    )


def _copyright() -> str:
    return (
        "Tongban Terminal: proprietary (LicenseRef-Proprietary).\n"
        "Bundled: CPython (PSF License), Qt and PySide6 (LGPLv3), the Tongban Sans font derived from Noto Sans CJK\n"
        "(SIL Open Font License 1.1, resources/fonts/OFL.txt), and the Python libraries listed in pyproject.toml\n"
        "under their own licenses.\n"
    )


# --- Windows ----------------------------------------------------------------------------------------------------


def write_nsis_script(opts: Options, payload: Path) -> Path:
    folder = opts.out / "windows"
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    config.write_text(default_config_text().replace("/etc/tongban/config.toml", "this file"), encoding="utf-8")
    icon = PACKAGING / "icons" / "tongban.ico"
    values = {
        "VERSION": opts.version,
        "OUTFILE": str((opts.out / f"tongban-terminal-{opts.version}-setup.exe").resolve()),
        "PAYLOAD_FILES": str(payload.resolve() / "*"),
        "CONFIG": str(config.resolve()),
        "ICON_LINES": f'!define MUI_ICON "{icon}"\n!define MUI_UNICON "{icon}"',
    }
    script = folder / "tongban.nsi"
    script.write_text(_fill(PACKAGING / "windows" / "tongban.nsi.in", values), encoding="utf-8")
    return script


def compile_nsis(script: Path) -> Path | None:
    makensis = shutil.which("makensis")
    if makensis is None:
        say("makensis not found: the NSIS script is written but not compiled (install NSIS, or `apt-get install nsis`)")
        return None
    subprocess.run([makensis, "-V2", "-INPUTCHARSET", "UTF8", str(script)], check=True, stdout=subprocess.DEVNULL)
    text = script.read_text(encoding="utf-8")
    match = re.search(r'^OutFile "(.+)"$', text, re.MULTILINE)
    assert match is not None
    return Path(match.group(1))


# --- command line -----------------------------------------------------------------------------------------------


def say(message: str) -> None:
    print(f"[build] {message}", file=sys.stderr, flush=True)


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def report(artifacts: Iterable[tuple[str, Path]]) -> None:
    for label, path in artifacts:
        print(f"{label:<16} {path}  {_size(path) / 1_048_576:.1f} MiB", flush=True)


def parse_args(argv: Sequence[str] | None) -> Options:
    default_targets = "bundle,windows" if os.name == "nt" else "bundle,deb,central,windows"
    parser = argparse.ArgumentParser(
        prog="build_installer.py",
        description="Build the Tongban Terminal bundle and installers (docs/install.md).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "targets: bundle (frozen terminal folder), deb (terminal .deb), central (platform bundle + .deb),\n"
            "windows (NSIS script; compiled when makensis is found).\n"
            "Needs the `build` extra (pip install -e '.[build,central]'); .debs need dpkg-deb and readelf."
        ),
    )
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="work folder (default: build/)")
    parser.add_argument("--targets", default=default_targets, help=f"comma-separated (default: {default_targets})")
    parser.add_argument("--version", default=app_version(), help="package version (default: app.__version__)")
    parser.add_argument("--nice", type=int, default=10, help="niceness of PyInstaller on POSIX (default 10; 0: off)")
    parser.add_argument(
        "--deb-compression",
        choices=["xz", "gzip"],
        default="xz",
        help="xz (default: smallest; every dpkg reads it) or gzip (several times faster to build, ~30%% larger)",
    )
    parser.add_argument("--bundle-dir", type=Path, help="use this already built terminal bundle folder")
    parser.add_argument("--central-bundle-dir", type=Path, help="use this already built platform bundle folder")
    parser.add_argument("--nsis-payload", type=Path, help="folder the Windows installer packs (default: the bundle)")
    args = parser.parse_args(argv)
    targets = tuple(t.strip() for t in args.targets.split(",") if t.strip())
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; choose from {', '.join(TARGETS)}")
    if not re.fullmatch(r"[0-9][0-9A-Za-z.+~-]*", args.version):
        parser.error(f"--version {args.version!r} is not a Debian version")
    return Options(
        out=args.out.resolve(),
        work=args.work.resolve(),
        version=args.version,
        targets=targets,
        nice=args.nice,
        compression=args.deb_compression,
        bundle_dir=args.bundle_dir.resolve() if args.bundle_dir else None,
        central_bundle_dir=args.central_bundle_dir.resolve() if args.central_bundle_dir else None,
        nsis_payload=args.nsis_payload.resolve() if args.nsis_payload else None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(argv)
    opts.out.mkdir(parents=True, exist_ok=True)
    artifacts: list[tuple[str, Path]] = []
    bundle: Path | None = None
    needs_bundle = {"bundle", "deb"} & set(opts.targets) or ("windows" in opts.targets and not opts.nsis_payload)
    if needs_bundle:
        bundle = build_bundle(opts, "terminal.spec", "tongban", opts.bundle_dir)
        artifacts.append(("bundle", bundle))
    if "deb" in opts.targets and bundle is not None:
        artifacts.append(("deb", build_terminal_deb(bundle, opts)))
    if "central" in opts.targets:
        central = build_bundle(opts, "central.spec", "tongban-central", opts.central_bundle_dir)
        artifacts.append(("central bundle", central))
        artifacts.append(("central deb", build_central_deb(central, opts)))
    if "windows" in opts.targets:
        payload = opts.nsis_payload or bundle
        assert payload is not None
        if os.name != "nt" and opts.nsis_payload is None:
            say("windows: the payload must be a Windows bundle; writing the script for this OS's bundle anyway")
        script = write_nsis_script(opts, payload)
        artifacts.append(("nsis script", script))
        if os.name == "nt" or opts.nsis_payload is not None:
            installer = compile_nsis(script)
            if installer is not None:
                artifacts.append(("windows setup", installer))
    report(artifacts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
