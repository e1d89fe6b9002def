import os
import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent


@pytest.fixture
def nemorun_home(tmp_path, monkeypatch):
    """Give NeMo Run a private home so tests never touch ~/.nemo_run."""
    home = tmp_path / "nemorun-home"
    home.mkdir()
    monkeypatch.setenv("NEMORUN_HOME", str(home))
    import nemo_run.config

    previous = nemo_run.config.get_nemorun_home()
    nemo_run.config.set_nemorun_home(str(home))
    yield home
    nemo_run.config.set_nemorun_home(previous)


@pytest.fixture
def local_executor():
    """A LocalExecutor whose shards can import the helper trial functions in tests/."""
    import nemo_run as run

    python_path = os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    return run.LocalExecutor(env_vars={"PYTHONPATH": python_path, "PATH": path})
