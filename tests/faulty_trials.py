"""Trial functions for launcher tests: they fail on purpose, on demand.

The shard processes import this module through PYTHONPATH, as a user's own module
would be. Two environment variables steer it:

NBC_TEST_FAULTS
    Path of a JSON file mapping "candidate/seed" to a fault: "raise", "kill"
    (SIGKILL to the trial's own process), "exit0" (exit with status 0 before any
    record is written), "kill_shard" (SIGKILL to the shard process that runs the
    trial) or "hang" (sleep for HANG_S seconds, for cancel tests). A missing file
    means no faults.
NBC_TEST_EXECUTIONS
    Path of a file to which every call appends one line "candidate/seed".
"""

import json
import os
import signal
import time

HANG_S = 300.0


def _fault(config, seed):
    path = os.environ.get("NBC_TEST_FAULTS")
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f).get(f"{config['label']}/{seed}")


def scored(config, seed, context):
    """Return score = offset + seed / 10, after applying the configured fault."""
    with open(os.environ["NBC_TEST_EXECUTIONS"], "a") as f:
        f.write(f"{config['label']}/{seed}\n")

    fault = _fault(config, seed)
    if fault == "raise":
        raise RuntimeError(f"injected failure for {config['label']}/{seed}")
    if fault == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == "exit0":
        os._exit(0)
    if fault == "kill_shard":
        os.kill(os.getppid(), signal.SIGKILL)
        raise RuntimeError("killed the shard that ran this trial")
    if fault == "hang":
        time.sleep(HANG_S)

    with context.phase("train"):
        score = config["offset"] + seed / 10
    return {"score": score}
