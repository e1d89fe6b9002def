"""Launcher overhead: shards against one NeMo Run task per trial, on trivial trials.

Runs a study of 20 trials of the synthetic workload (no training, no sleep) twice
through NeMo Run's LocalExecutor in a fresh NEMORUN_HOME:

* ``shards``: nbcompare's launcher, one task per CPU core, each running its trials
  in turn (a forked process per trial);
* ``task-per-trial``: one NeMo Run task per trial, all added to one experiment
  and run with ``sequential=False``, the pattern the launcher avoids.

It prints wall time and CPU time (this process plus its children) per mode and per
trial. Usage::

    python benchmarks/launcher_overhead.py [--trials 20] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _study(n_trials: int, name: str):
    import nbcompare as nbc

    seeds = range(n_trials // 2)
    return nbc.Study(name, [nbc.Candidate("a", "synthetic", mean=0.0),
                            nbc.Candidate("b", "synthetic", mean=1.0)],
                     seeds=seeds, metrics=["score"])


def run_sharded(n_trials: int, root: Path) -> None:
    study = _study(n_trials, "bench-shards")
    study.run(results_dir=root / "shards", progress=False)
    _check(root / "shards", n_trials)


def run_task_per_trial(n_trials: int, root: Path) -> None:
    import nemo_run as run

    from nbcompare.launch._launcher import _write_plan
    from nbcompare.launch._records import RecordsLayout
    from nbcompare.launch._runner import run_trials

    study = _study(n_trials, "bench-per-trial")
    layout = RecordsLayout(root / "per-trial")
    trials = _write_plan(study, layout)
    executor = run.LocalExecutor()
    with run.Experiment("bench-per-trial", executor=executor, log_level="WARN", clean_mode=True,
                        enable_goodbye_message=False, skip_status_at_exit=True) as exp:
        for i, trial in enumerate(trials):
            exp.add(run.Partial(run_trials, results_dir=str(layout.root), trial_ids=[trial.trial_id]),
                    executor=executor.clone(), name=f"trial-{i:02d}")
        exp.run(sequential=False)
    _check(layout.root, n_trials)


def _check(results_dir: Path, n_trials: int) -> None:
    from nbcompare.results import ResultSet

    results = ResultSet.from_directory(results_dir, use_cache=False)
    statuses = results.frame.drop_duplicates("trial_id")["status"]
    assert (statuses == "completed").sum() == n_trials, statuses.value_counts()


def measure(mode, n_trials: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        import nemo_run.config

        nemo_run.config.set_nemorun_home(str(root / "nemorun-home"))
        cpu, wall = _cpu_seconds(), time.perf_counter()
        mode(n_trials, root)
        return time.perf_counter() - wall, _cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20, help="number of trials (even; default 20)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per mode (default 3)")
    args = parser.parse_args()
    print(f"{args.trials} trivial trials, {os.cpu_count()} CPU cores, {args.repeats} repeats; median of repeats")
    for label, mode in (("shards", run_sharded), ("task-per-trial", run_task_per_trial)):
        walls, cpus = zip(*(measure(mode, args.trials) for _ in range(args.repeats)))
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(f"{label:>15}: wall {wall:6.1f} s ({wall / args.trials:5.2f} s/trial), "
              f"CPU {cpu:6.1f} s ({cpu / args.trials:5.2f} CPU-s/trial)")


if __name__ == "__main__":
    main()
