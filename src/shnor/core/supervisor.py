"""One background worker kept running beside the web server: started as a child process,
restarted when it dies (after a growing pause, so a worker that dies at once does not spin), and
stopped with the server. Knows nothing of the web server, which may change."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger("shnor.supervisor")

FIRST_PAUSE = 1.0  # seconds before the first restart; doubled on each quick death
LONGEST_PAUSE = 60.0
STEADY_AFTER = 60.0  # a worker that lived this long died of something new: pause from the start
STOP_TIMEOUT = 15.0  # a stopping worker puts its job back in the queue; then it is killed


def stop_on_sigterm() -> None:
    """End this process on SIGTERM as on Ctrl-C: `finally` blocks and atexit handlers run."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def worker_command() -> list[str]:
    return [sys.executable, "-m", "shnor", "worker", "--parent", str(os.getpid())]


class WorkerSupervisor:
    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or worker_command()
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # no worker is started once stop() has begun
        self._thread = threading.Thread(target=self._keep_running, name="supervisor", daemon=True)
        self._owner = os.getpid()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the worker and wait for it; safe to call more than once (signal, then atexit).
        Only the process that started the worker stops it: web processes forked from the server
        inherit this object and its atexit hook, and must leave the worker alone."""
        if os.getpid() != self._owner:
            return
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log.warning("worker %s did not stop in %s s: killed", process.pid, STOP_TIMEOUT)
                process.kill()
                process.wait()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()

    def _keep_running(self) -> None:
        pause = FIRST_PAUSE
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                # a session of its own: Ctrl-C in the terminal reaches the server alone, which
                # then stops the worker in order instead of racing it
                self.process = subprocess.Popen(self.command, start_new_session=True)
            started = time.monotonic()
            log.info("worker started (pid %s)", self.process.pid)
            # a new worker is started only after this one has exited: never two at once
            while self.process.poll() is None:
                if self._stopping.wait(0.5):
                    return
            if time.monotonic() - started > STEADY_AFTER:
                pause = FIRST_PAUSE
            log.warning(
                "worker %s exited with code %s; restarting in %.0f s",
                self.process.pid,
                self.process.returncode,
                pause,
            )
            if self._stopping.wait(pause):
                return
            pause = min(pause * 2, LONGEST_PAUSE)
