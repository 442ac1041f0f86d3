"""os1: a personal AI companion that talks with you and gets to know you, local-first.

The public API is small; everything else is reachable through its package (``os1.llm``,
``os1.memory``, ``os1.agent``, ``os1.tools``).
"""

import os
from importlib.metadata import version

# llama.cpp's threads wait for each other at every token; OpenMP's default is to spin while
# waiting, which on a busy machine (more runnable threads than cores) turns a reply of a few
# seconds into minutes. Set before any library loads OpenMP; a value set by the user wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from os1.agent.companion import Companion
    from os1.config import Settings, load_settings
    from os1.errors import Os1Error
    from os1.memory.sqlite import SQLiteMemory
    from os1.types import Message

__version__ = version("os1")
__all__ = ["Companion", "Message", "Os1Error", "SQLiteMemory", "Settings", "__version__",
           "load_settings"]

# where each public name lives: imported on first use, so that a command that needs none of them
# (``os1 memory list``, ``os1 --help``) does not load the companion, the store and their libraries
_PUBLIC = {"Companion": "os1.agent.companion", "Settings": "os1.config", "load_settings": "os1.config",
           "Os1Error": "os1.errors", "SQLiteMemory": "os1.memory.sqlite", "Message": "os1.types"}


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'os1' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(_PUBLIC[name]), name)
