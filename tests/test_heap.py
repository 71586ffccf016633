"""reportgen/heap.py and launch.py: the console script gives Arrow the jemalloc pool."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _backend(env: dict[str, str]) -> str:
    code = ("from reportgen.heap import tune_allocators; tune_allocators(); "
            "import pyarrow as pa; print(pa.default_memory_pool().backend_name)")
    return subprocess.run([sys.executable, "-c", code], env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="jemalloc: Linux wheels")
def test_the_command_line_gives_arrow_jemalloc() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    assert _backend(env) == "jemalloc"


def test_a_pool_the_user_chose_wins() -> None:
    assert _backend({**os.environ, "ARROW_DEFAULT_MEMORY_POOL": "system"}) == "system"
