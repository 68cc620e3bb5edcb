"""PySide6 reads the source of every module imported after it: skip that (start-up time and memory, issue 13).

PySide6's `__feature__` support (`from __feature__ import snake_case, true_property`) replaces `__import__` and,
for every module named in an import statement after PySide6 is loaded, decides a default feature selection by
reading the module's whole source text (`inspect.getsource`, kept in `linecache` for good) and looking for
"PySide6". On a counter start that is ~120 modules (the standard library's too: typing, inspect, argparse...),
about 10 % of the start's CPU time and ~1.7 MB of source text held in memory, and more with every later import.

This program uses no `__feature__` anywhere, so every module's selection is the default one (0) whatever that
scan decides: PySide6 uses the scan's result only to pick a feature set, and a module that does
`from __feature__ import ...` is registered by that import itself. The scan is replaced by a check of the names
the module holds. Nothing changes when PySide6 lacks the hook (another version): the original scan stays.
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401 - loads shiboken's feature hook, replaced below


def _holds_pyside(module: ModuleType) -> bool:
    """Whether the module holds a PySide6 module, class or function among its names (no source read)."""
    for value in list(vars(module).values()):
        name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
        if isinstance(name, str) and name.startswith("PySide6"):
            return True
    return False


def skip_feature_source_scan() -> bool:
    """Replace PySide6's source scan by `_holds_pyside`; True when the hook was found and replaced."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = _holds_pyside  # type: ignore[attr-defined]
    return True


skip_feature_source_scan()  # on import: `ui.app` imports this module before its other imports of ours
