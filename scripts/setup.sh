#!/usr/bin/env bash
# Sets up everything Tongban Terminal needs on a Debian machine: system packages, a virtualenv, the project.
# Usage: scripts/setup.sh run|test   (sourced by ./run.sh and ./test.sh; safe to run again: it skips what is done)
set -euo pipefail

purpose="${1:-run}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"

say() { printf '[setup] %s\n' "$*" >&2; }

# --- Python ---------------------------------------------------------------------------------------------
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    say "python3 was not found; install it first (Debian: apt-get install python3 python3-venv)."
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
    say "Python 3.11 or newer is required; found $("$python" --version 2>&1)."
    exit 1
fi

# --- Debian packages ------------------------------------------------------------------------------------
# Qt's xcb platform plugin needs these libraries (PLATFORM_NOTES.md); fontconfig for font lookup.
runtime_pkgs=(libegl1 libgl1 libfontconfig1 libglib2.0-0 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
    libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0)
# Tests render receipts and screens: Xvfb for a real X screen, zbarimg to decode QR codes, pdftotext/pdftoppm;
# a private cupsd with the cups-pdf virtual printer for the real print path; PostgreSQL for the central platform's
# second backend; Chromium and its driver for the supervisor page; the AT-SPI stack and Debian's pyatspi for the
# screen-reader walk of the counter's pages (tests/atspi: dbus-run-session, Xvfb, /usr/bin/python3 + pyatspi);
# fonts-hanazono, a font with all of CJK Extension B, so a rare name character the shipped font lacks (𪚥) prints
# from a fallback font as on a Windows hall PC (SimSun-ExtB), and the receipt tests can read it back; NSIS
# (makensis) to compile the generated Windows installer script, and binutils (PyInstaller and build_installer.py
# read ELF files with objdump/readelf); speech-dispatcher with its espeak-ng module and espeak-ng's Mandarin voice
# (cmn) for the kiosk's voice prompts through QtTextToSpeech's speechd engine (a private server, ALSA null device).
test_pkgs=(xvfb xauth zbar-tools poppler-utils cups cups-bsd printer-driver-cups-pdf postgresql chromium
    chromium-driver at-spi2-core python3-pyatspi gir1.2-atspi-2.0 dbus fonts-hanazono nginx nsis binutils
    speech-dispatcher speech-dispatcher-espeak-ng espeak-ng)
# A venv needs python3-venv on Debian's own python3.
if ! "$python" -c 'import ensurepip' >/dev/null 2>&1; then runtime_pkgs+=(python3-venv); fi

wanted=("${runtime_pkgs[@]}")
if [ "$purpose" = test ]; then wanted+=("${test_pkgs[@]}"); fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for p in "${wanted[@]}"; do
        status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
        [ "$status" = "install ok installed" ] || missing+=("$p")
    done
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then apt_get=(apt-get)
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then apt_get=(sudo apt-get)
    else apt_get=()
    fi
    if [ ${#apt_get[@]} -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        "${apt_get[@]}" update -q >/dev/null
        "${apt_get[@]}" install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    else
        say "these Debian packages are missing and this user cannot install them:"
        say "    sudo apt-get install ${missing[*]}"
        if [ "$purpose" = test ]; then exit 1; fi
    fi
fi

# --- virtualenv and the project -------------------------------------------------------------------------
if [ ! -x "$venv/bin/python" ]; then
    say "creating the virtualenv in $venv"
    "$python" -m venv "$venv"
fi
# The terminal itself needs no extras; the tests also run the reference platform (`central` extra: FastAPI, uvicorn,
# SQLAlchemy, psycopg) and build the installers (`build` extra: PyInstaller).
extras=""
if [ "$purpose" = test ]; then extras="[test,central,build]"; fi
stamp="$venv/.tongban-installed$extras"
digest="$(sha256sum "$root/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    say "installing tongban-terminal$extras and its dependencies into the virtualenv"
    "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
    "$venv/bin/python" -m pip install -q -e "$root$extras"
    echo "$digest" >"$stamp"
fi
