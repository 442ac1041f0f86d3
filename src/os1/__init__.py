"""os1: a personal AI companion that talks with you and gets to know you, local-first.

The public API is small; everything else is reachable through its package (``os1.llm``,
``os1.memory``, ``os1.agent``, ``os1.tools``).
"""

from importlib.metadata import version

from os1.agent.companion import Companion
from os1.config import Settings, load_settings
from os1.errors import Os1Error
from os1.memory.sqlite import SQLiteMemory
from os1.types import Message

__version__ = version("os1")
__all__ = ["Companion", "Message", "Os1Error", "SQLiteMemory", "Settings", "__version__",
           "load_settings"]
