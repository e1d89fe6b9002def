"""JupyterLab and headless Chromium for the browser tests, kept on the loopback interface.

Everything here starts on 127.0.0.1 and is stopped by the PID this module started.
Chromium gets the flags that stop its background requests (time service, account
lookup, component updater, autofill and optimisation hints) and a proxy pointing at
:class:`SinkProxy`, which responds 403 and logs each request. Chromium never sends
loopback traffic through a proxy, so any line in the sink's log is an attempt to
reach another host. Playwright's route guard aborts such requests as a second layer.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

# The real binary: /usr/bin/chromium is Debian's wrapper script, which adds flags that
# load extensions.
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")

# URL prefixes the page may load. Everything else is aborted by the route guard.
ALLOWED_URL_PREFIXES = ("http://127.0.0.1:", "http://localhost:", "ws://127.0.0.1:", "file:", "data:",
                        "blob:", "about:")


def find_chromium() -> str | None:
    """Return the path of the system Chromium, or None when it is not installed."""
    for path in CHROMIUM_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return None


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _SinkHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline(4096).decode("latin-1").strip()
        if line:
            with self.server.lock:
                self.server.requests.append(line)
        self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


class SinkProxy(socketserver.ThreadingTCPServer):
    """An HTTP proxy on 127.0.0.1 that rejects every request and records its request line."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SinkHandler)
        self.lock = threading.Lock()
        self.requests: list[str] = []
        self._thread = threading.Thread(target=self.serve_forever, name="sink-proxy", daemon=True)
        self._thread.start()

    def proxied_requests(self) -> list[str]:
        """Return the request lines that asked the proxy for another host.

        A proxied request names its target (``CONNECT host:443`` or an absolute URL).
        The component updater and the account lookup, sent here on purpose by
        :func:`chromium_args`, arrive with a plain path and are not counted.
        """
        with self.lock:
            lines = list(self.requests)
        return [line for line in lines
                if line.startswith("CONNECT ") or " http://" in line or " https://" in line]

    @property
    def port(self) -> int:
        return self.server_address[1]

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def chromium_args(sink_port: int) -> list[str]:
    """Chromium flags that keep a headless browser from contacting any other host."""
    disabled = ",".join([
        "NetworkTimeServiceQuerying", "AutofillServerCommunication", "OptimizationHints",
        "OptimizationHintsFetching", "OptimizationGuideModelDownloading", "OptimizationTargetPrediction",
    ])
    return [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--disable-features={disabled}",
        # The component updater and the account lookup still fire with the flags above;
        # these send them to the sink. The account URL must use "localhost": Chromium
        # ignores an IP address there.
        f"--component-updater=url-source=http://127.0.0.1:{sink_port}/cus",
        f"--gaia-url=http://localhost:{sink_port}/",
        f"--proxy-server=http://127.0.0.1:{sink_port}",
    ]


def jupyter_environment(base: Path) -> dict[str, str]:
    """Return an environment whose Jupyter, IPython and Matplotlib state lives under ``base``.

    The server config turns off the news feed, the update check and the extension
    manager, so JupyterLab itself requests nothing from the internet.
    """
    dirs = {name: base / name for name in ("config", "data", "runtime", "ipython", "mpl", "settings",
                                           "workspaces", "tmp", "nemorun")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    (dirs["config"] / "jupyter_server_config.py").write_text(
        "c.LabApp.news_url = None\n"
        "c.LabApp.check_for_updates_class = 'jupyterlab.NeverCheckForUpdate'\n"
        "c.LabApp.extension_manager = 'readonly'\n"
    )
    settings = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"autoStartDefaultKernel": True},
    }
    for relative, value in settings.items():
        path = dirs["settings"] / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": str(dirs["ipython"]),
        "MPLCONFIGDIR": str(dirs["mpl"]),
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        # Playwright and the kernels create temporary directories; keep them here.
        "TMPDIR": str(dirs["tmp"]),
        "NEMORUN_HOME": str(dirs["nemorun"]),
        # NeMo Run's LocalExecutor starts "python" from PATH.
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        "PYTHONUNBUFFERED": "1",
    })
    return env


class JupyterLab:
    """A JupyterLab server on 127.0.0.1 serving ``root``, with a random token."""

    def __init__(self, root: Path, env: dict[str, str], log_path: Path):
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "w")
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={self.token}",
            # Required when the tests run as root; harmless otherwise.
            "--ServerApp.allow_root=True",
            # Exposes window.jupyterapp, through which the test runs all cells.
            "--LabApp.expose_app_in_browser=True",
        ]
        self.process = subprocess.Popen(command, cwd=root, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}?token={self.token}"

    def wait_ready(self, timeout_s: float = 90.0) -> None:
        """Poll the status endpoint until the server responds; raise if it exits first."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode}; "
                                   f"log:\n{self.log_text()}")
            try:
                urllib.request.urlopen(self.url("api/status"), timeout=2)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"JupyterLab did not answer on {self.base_url} within {timeout_s} s; "
                           f"log:\n{self.log_text()}")

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        """Stop the server (it shuts its kernels down), then anything left in its process group."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        # Kernels and NeMo Run shards started by this server share its process group.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._log.close()

