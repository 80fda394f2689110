"""Hostile input and hostile surroundings (issue 12): drafts built to make the citation reader
quadratic, error messages that would grow with the input, and a standard output that cannot
be written (a full disk, a closed pipe)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# every command that writes to stdout, with what it needs to write something
STDOUT_COMMANDS = [
    ["show"],
    ["show", "dpo"],
    ["topics"],
    ["venues"],
    ["check"],
    ["export", "dpo"],
    ["export"],
    ["--version"],
]


def _litlist(args: list[str], stdout, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "LITLIST_CACHE_DIR": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }
    env.pop("LITLIST_CATALOG", None)
    return subprocess.run(
        [sys.executable, "-m", "litlist", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", STDOUT_COMMANDS, ids=" ".join)
def test_full_disk_on_stdout_is_one_error_line(args, tmp_path):
    with open("/dev/full", "w") as full:
        result = _litlist(args, full, tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: cannot write the output: No space left on device (standard output)"
    ]


@pytest.mark.parametrize("args", STDOUT_COMMANDS, ids=" ".join)
def test_closed_pipe_on_stdout_exits_1_quietly(args, tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written (`| head -0`)
    try:
        result = _litlist(args, write_end, tmp_path)
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert result.stderr == ""
