"""Operate one window of a running application through AT-SPI actions, as a screen-reader user does; print JSON.

Run by Debian's `/usr/bin/python3` like walker.py (standard library and pyatspi only), on the application's session
bus and display:

    /usr/bin/python3 actor.py --pid PID --title TITLE --name NAME (--press | --focus | --type TEXT | --wait)
        [--scope SEGMENT] [--timeout SECONDS]

Polls (no fixed sleeps) until exactly one showing node named NAME (inside SCOPE, an object-name segment of its
accessible id) that can do the step (actions to run, or editable text) is in the window, then: --press runs its
"Press" action (a button), --focus its "SetFocus" action, --type replaces its text through the EditableText
interface (a field), --wait only finds it. Prints {"name", "role", "states", "done"}; exit 2 with a message on
stderr when the bound runs out or the node is ambiguous.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import pyatspi

POLL_SECONDS = 0.1


def _window(pid: int, title: str) -> object | None:
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
            if window is not None and window.name == title and window.getState().contains(pyatspi.STATE_SHOWING):
                return window
    return None


def _showing(window: object, name: str, scope: str) -> list[object]:
    """Showing nodes named `name` (a hidden subtree is not descended into)."""
    found: list[object] = []
    stack = [window]
    while stack:
        node = stack.pop()
        for i in range(node.childCount):
            child = node.getChildAtIndex(i)
            if child is None or not child.getState().contains(pyatspi.STATE_SHOWING):
                continue
            if child.name == name:
                try:
                    ident = child.get_accessible_id() or ""
                except Exception:
                    ident = ""
                if not scope or scope in ident.split("."):
                    found.append(child)
            stack.append(child)
    return found


def _can(node: object, what: str) -> bool:
    """Whether `node` offers what the step needs: actions to run (a page with the same name has none), or text."""
    try:
        if what == "act":
            return bool(node.queryAction().nActions)
        if what == "type":
            node.queryEditableText()
            return True
    except NotImplementedError:
        return False
    return True


def _action(node: object, wanted: str) -> None:
    action = node.queryAction()
    names = [action.getName(i) for i in range(action.nActions)]
    if wanted not in names:
        raise RuntimeError(f"{node.name!r} has no {wanted} action (it has {names})")
    action.doAction(names.index(wanted))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--title", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--scope", default="")
    parser.add_argument("--timeout", type=float, default=120.0)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--press", action="store_true")
    what.add_argument("--focus", action="store_true")
    what.add_argument("--type", dest="text")
    what.add_argument("--wait", action="store_true")
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    last = "window not found"
    while True:
        need = "act" if args.press or args.focus else "type" if args.text is not None else "see"
        try:
            window = _window(args.pid, args.title)
            nodes = _showing(window, args.name, args.scope) if window is not None else []
            nodes = [n for n in nodes if _can(n, need)]
        except Exception as exc:  # the tree changed under the walk: look again
            nodes, last = [], repr(exc)
        else:
            last = f"{len(nodes)} showing nodes named {args.name!r}" if window is not None else "window not found"
        if len(nodes) == 1:
            break
        if time.monotonic() > deadline:
            print(f"actor: {last} in {args.title!r} of pid {args.pid}", file=sys.stderr)
            return 2
        time.sleep(POLL_SECONDS)  # polling a condition: the tree is another process's
    node = nodes[0]
    if args.press:
        _action(node, "Press")
    elif args.focus:
        _action(node, "SetFocus")
    elif args.text is not None:
        node.queryEditableText().setTextContents(args.text)
    states = sorted(pyatspi.stateToString(s) for s in node.getState().getStates())
    json.dump({"name": node.name, "role": node.getRoleName(), "states": states, "done": True}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
