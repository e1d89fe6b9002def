"""The environment part of a trial record: packages, device, host, git commit."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
import sys
from importlib import metadata
from typing import Any

__all__ = ["environment_info"]

_PACKAGES = (
    "nbcompare", "numpy", "scipy", "pandas", "scikit-learn", "statsmodels",
    "torch", "nemo_run", "matplotlib",
)


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _git_commit(directory: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", directory, "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _device() -> str:
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return "cpu"


@functools.lru_cache(maxsize=1)
def _static_info() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "hostname": platform.node(),
        "cpu_count": os.cpu_count(),
        "packages": {name: _version(name) for name in _PACKAGES if _version(name)},
        "git_commit": _git_commit(os.getcwd()),
    }


def environment_info() -> dict[str, Any]:
    """Describe the process's environment for a trial record.

    The git commit is that of the working directory the trial process runs in
    (``None`` outside a repository). The device is read after the trial function
    ran, so a function that imports torch reports CUDA when it saw a GPU.
    """
    return {**_static_info(), "device": _device()}
