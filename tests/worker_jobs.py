"""A job kind that sleeps, for tests that stop workers mid-job, and the body of a process that
runs the real worker (or queues a job) with that kind registered (`COMMAND` + arguments:
`enqueue SECONDS` prints the new job's id; `worker` runs the worker)."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from shnor.core.jobs import Progress, enqueue, job_kind


@job_kind("test.sleep")
def sleep(progress: Progress, params: dict[str, Any], user: Any) -> dict[str, Any]:
    steps = int(float(params["seconds"]) * 10)
    progress.start(steps, "Сон")
    for _ in range(steps):
        time.sleep(0.1)
        progress.advance()
    return {"summary": "Проснулся", "pid": os.getpid()}


def main(command: str, *args: str) -> None:
    from django.core.management import call_command

    if command == "enqueue":
        print(enqueue("test.sleep", "Сон", {"seconds": float(args[0])}, None).pk)
    else:
        call_command("worker")


COMMAND = [
    sys.executable,
    "-c",
    "import sys, django; django.setup(); from tests.worker_jobs import main; main(*sys.argv[1:])",
]
