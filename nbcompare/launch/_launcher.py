"""Launch a study as one NeMo Run experiment of parallel shards.

Starting one NeMo Run task costs about 2.5 CPU-seconds on a 2-core machine, so the
launcher does not start one task per trial: it deals the pending trials into as
many shards as there are workers, and each shard is one ``run.Partial`` of
:func:`nbcompare.launch._runner.run_trials`. The experiment runs the shards with
``sequential=False``. Executor settings pass through as given, so the same code
serves the local executor, Slurm and the cloud executors. The launch's line in
``launches.jsonl`` is written before the shards start, so
:func:`nbcompare.launch.cancel_study` can find the experiment while it runs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from nbcompare.launch import _control
from nbcompare.launch._progress import Progress, ProgressPrinter, count_progress
from nbcompare.launch._records import RecordsLayout, atomic_write_json, read_json
from nbcompare.launch._runner import run_trials, write_failure, write_interrupted
from nbcompare.exceptions import StudyError, TrialFunctionError
from nbcompare.study import Study, Trial, load_study, resolve_function

__all__ = ["run_study", "StudyRun", "plan_shards"]

logger = logging.getLogger(__name__)


def plan_shards(trial_ids: list[str], workers: int) -> list[list[str]]:
    """Deal ``trial_ids`` round-robin into ``min(workers, len(trial_ids))`` shards.

    The trials come seed-major (every candidate of seed 0, then seed 1 ...), so
    dealing them round-robin mixes cheap and expensive candidates in every shard.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}.")
    n = min(workers, len(trial_ids))
    return [trial_ids[i::n] for i in range(n)] if n else []


def _default_workers(executor: Any) -> int:
    import nemo_run as run

    if isinstance(executor, run.LocalExecutor):
        return max(1, os.cpu_count() or 1)
    nodes = getattr(executor, "nodes", 1) or 1
    tasks = getattr(executor, "ntasks_per_node", 1) or 1
    return max(1, int(nodes) * int(tasks))


SHARD_ENV_VAR = "NBCOMPARE_SHARD_OF"
"""Environment variable set in every shard process, to the study's name."""


def _prepare_local_executor(executor: Any) -> Any:
    """Make the local executor's shards use this interpreter and see the working directory.

    NeMo Run's LocalExecutor starts ``python`` from PATH. In a notebook kernel or a
    console script of a virtual environment that is not activated, PATH finds a
    different interpreter, which cannot import nbcompare, so this interpreter's
    directory goes first on PATH. The working directory goes first on PYTHONPATH,
    so a trial module next to the notebook or the study file is importable. Values
    the caller set in ``env_vars`` are kept.
    """
    import nemo_run as run

    if not isinstance(executor, run.LocalExecutor):
        return executor
    executor = executor.clone()
    interpreter_dir = os.path.dirname(sys.executable)
    found = shutil.which("python")
    if "PATH" not in executor.env_vars and not (
        found and os.path.realpath(os.path.dirname(found)) == os.path.realpath(interpreter_dir)
    ):
        executor.env_vars["PATH"] = interpreter_dir + os.pathsep + os.environ.get("PATH", "")
    if "PYTHONPATH" not in executor.env_vars:
        executor.env_vars["PYTHONPATH"] = os.pathsep.join(
            p for p in (os.getcwd(), os.environ.get("PYTHONPATH", "")) if p
        )
    return executor


@contextlib.contextmanager
def _import_path(entries: list[str]) -> Iterator[None]:
    saved = list(sys.path)
    sys.path[:0] = [e for e in entries if e and e not in sys.path]
    try:
        yield
    finally:
        sys.path[:] = saved


def _preflight(study: Study, executor: Any) -> None:
    """Import every trial function and check every configuration before launching.

    With the local executor the trials run on this machine with the PYTHONPATH set
    by :func:`_prepare_local_executor`, so a function that cannot be imported here
    would fail in every trial. A trial module may define ``check_config(config)``
    that raises ValueError for a configuration its trial function would reject;
    it is called once per candidate and task.
    """
    import nemo_run as run

    local = isinstance(executor, run.LocalExecutor)
    entries = executor.env_vars.get("PYTHONPATH", "").split(os.pathsep) if local else []
    for path in sorted({study.function_of(c) for c in study.candidates}):
        try:
            with _import_path(entries):
                resolve_function(path)
        except TrialFunctionError:
            if local:
                raise
            # NOTE: remote executors have their own environment, so a function missing
            # here may still import there; the trials record the error if it does not.
            logger.info("Trial function %s is not importable here; not checked before launch.", path)
            continue
        check = getattr(sys.modules[path.partition(":")[0]], "check_config", None)
        if callable(check):
            _check_configs(study, path, check)


def _check_configs(study: Study, path: str, check: Any) -> None:
    for trial in study.trials():
        if trial.function != path or trial.seed != study.seeds[0]:
            continue
        try:
            check(dict(trial.config))
        except ValueError as exc:
            raise StudyError(
                f"Candidate {trial.candidate!r} on task {trial.task!r}: {exc} "
                "Fix the candidate's parameters; no trial was started."
            ) from None


def _experiment_title(study: Study) -> str:
    return "nbcompare-" + re.sub(r"[^A-Za-z0-9_-]+", "-", study.name).strip("-")


@dataclass
class StudyRun:
    """A launched study: its results directory and the NeMo Run experiment(s) behind it.

    Everything is read back from the results directory, so a new kernel can reattach
    with :meth:`StudyRun.attach`.
    """

    study: Study
    results_dir: Path
    experiment_id: str | None = None
    launched_trials: list[str] = field(default_factory=list)

    @classmethod
    def attach(cls, results_dir: str | os.PathLike[str]) -> "StudyRun":
        """Reattach to a study launched earlier, from its results directory."""
        layout = RecordsLayout(results_dir)
        if not layout.study_file.is_file():
            raise FileNotFoundError(
                f"{layout.root} has no study.yaml; it is not an nbcompare results directory."
            )
        study = load_study(layout.study_file)
        experiment_id = None
        if layout.launches_file.is_file():
            lines = layout.launches_file.read_text().splitlines()
            if lines:
                experiment_id = json.loads(lines[-1]).get("experiment_id")
        return cls(study, layout.root, experiment_id)

    def progress(self) -> Progress:
        """Count the study's trials by state, from the records directory."""
        layout = RecordsLayout(self.results_dir)
        return count_progress(layout, [t.trial_id for t in self.study.trials()])

    def experiment(self):
        """Return the NeMo Run experiment of the latest launch (``run.Experiment.from_id``)."""
        import nemo_run as run

        if self.experiment_id is None:
            raise ValueError("This study was not launched through NeMo Run from this directory.")
        return run.Experiment.from_id(self.experiment_id)

    def results(self):
        """Read the records into a :class:`nbcompare.results.ResultSet`."""
        from nbcompare.results import ResultSet

        return ResultSet.from_directory(self.results_dir)


def _write_plan(study: Study, layout: RecordsLayout) -> list[Trial]:
    trials = study.trials()
    layout.root.mkdir(parents=True, exist_ok=True)
    if layout.study_file.is_file():
        previous = load_study(layout.study_file)
        if previous.name != study.name:
            raise ValueError(
                f"{layout.root} contains the results of study {previous.name!r}, not {study.name!r}; "
                "choose another results_dir."
            )
    study.to_yaml(layout.study_file)
    plan = {"study": study.name, "trials": [t.to_dict() for t in trials]}
    atomic_write_json(layout.plan_file, plan)
    return trials


def _pending(trials: list[Trial], layout: RecordsLayout, resume: bool, retry_failed: bool) -> list[str]:
    pending = []
    for trial in trials:
        path = layout.record(trial.trial_id)
        if not resume or not path.exists():
            pending.append(trial.trial_id)
            continue
        status = read_json(path).get("status")
        # A cancelled trial did not fail: it runs again even with retry_failed=False.
        if status == "cancelled" or (retry_failed and status != "completed"):
            pending.append(trial.trial_id)
    return pending


def _run_experiment(study: Study, layout: RecordsLayout, shards: list[list[str]], executor: Any,
                    detach: bool, started: float) -> tuple[str, list[str]]:
    """Run the shards as one NeMo Run experiment; return its id and the jobs' final states.

    The launch's line in launches.jsonl is written, and the experiment registered for
    :func:`nbcompare.launch.cancel_study`, before any shard starts. A cancel request
    that arrives before then stops the launch before it starts the shards.
    """
    import nemo_run as run

    experiment = run.Experiment(_experiment_title(study), executor=executor, log_level="WARN",
                                clean_mode=True, enable_goodbye_message=False,
                                skip_status_at_exit=True)
    experiment_id = experiment._id
    _control.append_launch(layout, _control.launch_entry(experiment_id, executor, shards, started))
    _control.register_experiment(experiment_id, experiment)
    try:
        with experiment:
            for i, shard in enumerate(shards):
                task = run.Partial(run_trials, results_dir=str(layout.root), trial_ids=list(shard),
                                   timeout_s=study.timeout_s)
                experiment.add(task, executor=executor.clone(), name=f"shard-{i:02d}")
            if layout.cancel_file.exists():
                logger.info("Launch %s was cancelled before its shards started.", experiment_id)
            else:
                experiment.run(sequential=False, detach=detach)
    except BaseException as error:
        _control.update_launch(layout, experiment_id, state=_control.FAILED,
                               error=f"{type(error).__name__}: {error}", finished_at=time.time())
        raise
    finally:
        _control.unregister_experiment(experiment_id)
    states = [str(getattr(job, "state", "UNKNOWN")) for job in experiment.jobs]
    if layout.cancel_file.exists():
        state = _control.CANCELLED
    else:
        state = _control.SUBMITTED if detach and getattr(experiment, "detach", False) else _control.FINISHED
    _control.update_launch(layout, experiment_id, state=state, job_states=states, finished_at=time.time())
    return experiment_id, states


def _record_missing(study: Study, layout: RecordsLayout, trials: list[Trial], pending: list[str],
                    shards: list[list[str]], states: list[str]) -> None:
    """Write records for launched trials that ended without one: failed (a shard died) or cancelled."""
    by_id = {t.trial_id: t for t in trials}
    shard_of = {tid: i for i, shard in enumerate(shards) for tid in shard}
    have = layout.record_ids()
    cancelled = layout.cancel_file.exists()
    for trial_id in pending:
        if trial_id in have:
            continue
        if cancelled:
            write_interrupted(by_id[trial_id], study.name, layout)
            continue
        shard = shard_of[trial_id]
        state = states[shard] if shard < len(states) else "UNKNOWN"
        message = (f"Shard {shard} ended (NeMo Run state {state}) without a record for this "
                   "trial; see the shard's log in the NeMo Run experiment directory.")
        write_failure(by_id[trial_id], study.name, layout, message,
                      {"cause": "no_record", "shard": shard, "job_state": state})


def run_study(study: Study, *, results_dir: str | os.PathLike[str] | None = None,
              executor: Any = None, workers: int | None = None, resume: bool = True,
              retry_failed: bool = True, progress: bool = True, detach: bool = False) -> StudyRun:
    """Run every pending trial of ``study`` through NeMo Run and wait for them.

    Parameters
    ----------
    study : Study
    results_dir : path, optional
        Where records go; defaults to ``results/<study name>`` in the working directory.
    executor : nemo_run executor, optional
        Defaults to ``run.LocalExecutor()``. Slurm and cloud executors are used as given.
    workers : int, optional
        Number of shards (parallel NeMo Run tasks). Defaults to the CPU count for the
        local executor and ``nodes * ntasks_per_node`` otherwise.
    resume : bool
        Skip trials that already have a completed record.
    retry_failed : bool
        With ``resume``, run again the trials whose record has status failed. Trials
        with status cancelled run again in either case.
    progress : bool
        Print trial counts to standard error while waiting.
    detach : bool
        Return after submitting (Slurm and cloud executors only); reattach later with
        :meth:`StudyRun.attach`.

    Returns
    -------
    StudyRun
    """
    import nemo_run as run

    if not isinstance(study, Study):
        raise TypeError(f"study must be an nbcompare.Study, got {type(study).__name__}.")
    if os.environ.get(SHARD_ENV_VAR):
        raise RuntimeError(
            f"run_study() was called inside a trial shard of study {os.environ[SHARD_ENV_VAR]!r}. "
            "NeMo Run runs the launching script's module again in each shard, and this script "
            "launches a study at import time. Put the launch under "
            "`if __name__ == \"__main__\":` in the script."
        )
    layout = RecordsLayout(results_dir or Path("results") / study.name)
    executor = executor if executor is not None else run.LocalExecutor()
    # A copy, so the environment variable below does not change the caller's executor.
    executor = _prepare_local_executor(executor).clone()
    # Marks the shard processes. A script without a __main__ guard then stops at its
    # run_study() call when a shard imports it, and NeMo Run 0.11 logs the error as
    # a warning and runs the shard, instead of the shard launching the study again.
    executor.env_vars.setdefault(SHARD_ENV_VAR, study.name)
    workers = workers if workers is not None else _default_workers(executor)

    pending = _pending(study.trials(), layout, resume, retry_failed)
    if pending:
        # A cancel request applies to one launch, so an older request must not stop this one.
        layout.cancel_file.unlink(missing_ok=True)
        _preflight(study, executor)
    trials = _write_plan(study, layout)
    layout.clear_stale_running()
    study_run = StudyRun(study, layout.root, launched_trials=pending)
    if not pending:
        state = count_progress(layout, [t.trial_id for t in trials])
        logger.info("No trial of %s to run: %s.", study.name, state)
        if progress:
            print(f"[nbcompare] {study.name}: no trial to run ({state}); records in {layout.root}",
                  file=sys.stderr)
        return study_run

    shards = plan_shards(pending, workers)
    started = time.time()
    logger.info("Launching %d trials of %s in %d shards.", len(pending), study.name, len(shards))
    if progress:
        print(f"[nbcompare] {study.name}: {len(pending)} of {len(trials)} trials to run in "
              f"{len(shards)} parallel shards; records in {layout.root}", file=sys.stderr)
        with ProgressPrinter(layout, pending, since=started):
            experiment_id, states = _run_experiment(study, layout, shards, executor, detach, started)
    else:
        experiment_id, states = _run_experiment(study, layout, shards, executor, detach, started)

    study_run.experiment_id = experiment_id
    if not detach:
        _record_missing(study, layout, trials, pending, shards, states)
    return study_run
