"""Walk one window of a running application as a screen reader sees it over AT-SPI; print the nodes as JSON.

Run by Debian's `/usr/bin/python3` (the project's venv cannot import Debian's `pyatspi`), on the session bus and
display of the application (see tests/atspi/session.py). Standard library and pyatspi only: no project imports.

    /usr/bin/python3 walker.py --pid PID --title TITLE [--marker NAME] [--timeout SECONDS]

Polls (no fixed sleeps) until the application with process id PID has a showing top-level window named TITLE
(and, with --marker, a showing node of that name inside it), then walks that window's showing subtree and prints
one JSON object: {"window": ..., "nodes": [...]}; exit 2 with a message on stderr when the bound runs out.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import pyatspi

POLL_SECONDS = 0.1


def _states(node: object) -> list[str]:
    return sorted(pyatspi.stateToString(s) for s in node.getState().getStates())


def _relations(node: object) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rel in node.getRelationSet():
        kind = str(rel.getRelationType().value_nick)
        targets = [rel.getTarget(i) for i in range(rel.getNTargets())]
        out.setdefault(kind, []).extend(t.name for t in targets if t is not None)
    return out


def _node(node: object, path: str, depth: int) -> dict[str, object]:
    try:
        ident = node.get_accessible_id() or ""
    except Exception:
        ident = ""
    return {
        "path": path,
        "depth": depth,
        "role": node.getRoleName(),
        "name": node.name or "",
        "description": node.description or "",
        "id": ident,
        "states": _states(node),
        "relations": _relations(node),
        "children": node.childCount,
    }


def walk(window: object) -> list[dict[str, object]]:
    """The window and every showing node below it, depth first (a hidden subtree is not descended into)."""
    nodes: list[dict[str, object]] = []
    stack: list[tuple[object, str, int]] = [(window, "0", 0)]
    while stack:
        node, path, depth = stack.pop()
        nodes.append(_node(node, path, depth))
        children = [(node.getChildAtIndex(i), f"{path}.{i}", depth + 1) for i in range(node.childCount)]
        showing = [c for c in children if c[0] is not None and c[0].getState().contains(pyatspi.STATE_SHOWING)]
        stack.extend(reversed(showing))
    return nodes


def _find_window(pid: int, title: str, marker: str) -> object | None:
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is None:
            continue
        try:
            if app.get_process_id() != pid:
                continue
        except Exception:
            continue
        for j in range(app.childCount):
            window = app.getChildAtIndex(j)
            if window is None or window.name != title:
                continue
            if not window.getState().contains(pyatspi.STATE_SHOWING):
                continue
            if (
                marker
                and pyatspi.findDescendant(
                    window, lambda n: n.name == marker and n.getState().contains(pyatspi.STATE_SHOWING)
                )
                is None
            ):
                continue
            return window
    return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--title", required=True)
    parser.add_argument("--marker", default="")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    window = None
    while window is None:
        try:
            window = _find_window(args.pid, args.title, args.marker)
        except Exception as exc:
            last = repr(exc)
            window = None
        else:
            last = "window not found"
        if window is None:
            if time.monotonic() > deadline:
                print(f"walker: no showing window {args.title!r} of pid {args.pid} ({last})", file=sys.stderr)
                return 2
            time.sleep(POLL_SECONDS)  # polling a condition: the tree is another process's
    json.dump({"window": args.title, "nodes": walk(window)}, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
