"""Study definition: validation messages, YAML round trip, trial ids."""

import re
import textwrap

import pytest

import nbcompare as nbc
from nbcompare.study import Trial, load_study
from nbcompare.workloads import get_workload


def _candidates(n=2):
    return [nbc.Candidate(f"m{i}", "synthetic", mean=float(i)) for i in range(n)]


def _study(**overrides):
    kwargs = dict(name="s", candidates=_candidates(), seeds=range(3), metrics=["score"])
    kwargs.update(overrides)
    return nbc.Study(**kwargs)


def test_trials_cover_candidates_tasks_seeds():
    study = _study()
    trials = study.trials()
    assert len(trials) == 6
    assert {(t.candidate, t.seed) for t in trials} == {(f"m{i}", s) for i in range(2) for s in range(3)}
    assert all(t.task == "synthetic" for t in trials)
    assert len({t.trial_id for t in trials}) == 6


def test_trial_id_is_stable_and_changes_with_hyperparameter():
    first = _study().trials()[0]
    again = _study().trials()[0]
    changed = _study(candidates=[nbc.Candidate("m0", "synthetic", mean=0.5), _candidates()[1]]).trials()[0]
    assert first.trial_id == again.trial_id
    assert re.fullmatch(r"[0-9a-f]{16}", first.trial_id)
    assert changed.trial_id != first.trial_id
    # The id does not depend on the study's name or on the order of keyword arguments.
    renamed = _study(name="other").trials()[0]
    assert renamed.trial_id == first.trial_id
    a = nbc.Candidate("x", "synthetic", mean=1.0, sd=2.0)
    b = nbc.Candidate("x", "synthetic", sd=2.0, mean=1.0)
    assert a.params == b.params


def test_trial_round_trip_rejects_edited_id():
    trial = _study().trials()[0]
    data = trial.to_dict()
    assert Trial.from_dict(data) == trial
    data["config"] = {**data["config"], "mean": 99.0}
    with pytest.raises(ValueError, match="does not match its content"):
        Trial.from_dict(data)


def test_metric_direction_from_workload_and_measured():
    study = _study(metrics=["score", "loss", "train_time_s"])
    directions = {m.name: m.higher_is_better for m in study.metrics}
    assert directions == {"score": True, "loss": False, "train_time_s": False}


def test_digits_directions_match_workload_module():
    digits = pytest.importorskip("nbcompare.workloads.digits")
    assert dict(get_workload("digits").metrics) == digits.METRICS


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"candidates": _candidates(1)}, r"has 1 candidate\(s\) \['m0'\]; a comparison needs at least two"),
        ({"candidates": [nbc.Candidate("a", "synthetic"), nbc.Candidate("a", "synthetic", mean=1.0)]},
         r"candidates\[1\] repeats the name 'a' of candidates\[0\]"),
        ({"metrics": ["scroe"]}, r"Unknown metric 'scroe'\. Did you mean 'score'\?"),
        ({"metrics": []}, r"Study.metrics is empty"),
        ({"seeds": []}, r"seeds is empty; give at least two seeds"),
        ({"seeds": 5}, r"seeds=5 is a single number; pass a collection such as range\(5\)"),
        ({"seeds": [0, 1, 1]}, r"seeds contains duplicates \[1\]"),
        ({"seeds": [0, -1]}, r"seeds contains -1; every seed must be a non-negative integer"),
        ({"seeds": [0]}, r"1 seed\(s\) and 1 task\(s\); a paired comparison needs at least two seeds or two tasks"),
        ({"candidates": [nbc.Candidate("a", "digitz"), nbc.Candidate("b", "digits")]},
         r"workload='digitz' is not a registered workload\. Did you mean 'digits'\?"),
        ({"alpha": 1.5}, r"Study.alpha must be a number strictly between 0 and 1, got 1.5"),
        ({"confidence_level": 95}, r"confidence_level must be a number strictly between 0 and 1, got 95"),
        ({"tasks": ["cifar"]}, r"Task 'cifar' is not known to workload 'synthetic' .* tasks are \['synthetic'\]"),
    ],
)
def test_invalid_study_names_field_value_and_fix(overrides, message):
    with pytest.raises(nbc.StudyError, match=message):
        _study(**overrides)


def test_function_defined_in_main_is_rejected():
    def local_fn(config, seed, context):
        return {"score": 1.0}

    local_fn.__module__ = "__main__"
    local_fn.__qualname__ = "local_fn"
    with pytest.raises(nbc.TrialFunctionError, match=r"defined in __main__ .*Move it to module level in a \.py file"):
        nbc.Candidate("a", local_fn)


def test_nested_function_is_rejected():
    def inner(config, seed, context):
        return {}

    with pytest.raises(nbc.TrialFunctionError, match="cannot import it"):
        nbc.Candidate("a", inner)


def test_importable_function_becomes_path():
    from nbcompare.workloads.synthetic import train

    candidate = nbc.Candidate("a", train, mean=1.0)
    assert candidate.workload == "nbcompare.workloads.synthetic:train"


def test_custom_function_metric_needs_direction():
    candidates = [nbc.Candidate("a", "mypkg.trials:fit"), nbc.Candidate("b", "mypkg.trials:fit")]
    with pytest.raises(nbc.StudyError, match=r"Metric 'bleu' has no declared direction"):
        nbc.Study("s", candidates, seeds=[0, 1], metrics=["bleu"])
    study = nbc.Study("s", candidates, seeds=[0, 1], metrics=[nbc.Metric("bleu", higher_is_better=True)])
    assert study.metrics[0].higher_is_better is True


def test_yaml_round_trip(tmp_path):
    study = _study(metrics=["score", {"name": "loss", "higher_is_better": False}], alpha=0.01)
    path = tmp_path / "study.yaml"
    study.to_yaml(path)
    loaded = load_study(path)
    assert loaded.to_dict() == study.to_dict()
    assert [t.trial_id for t in loaded.trials()] == [t.trial_id for t in study.trials()]


def test_yaml_seed_count_and_unknown_field(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(textwrap.dedent("""
        name: yaml-study
        candidates:
          - {name: a, workload: synthetic, params: {mean: 0.0}}
          - {name: b, workload: synthetic, params: {mean: 1.0}}
        seeds: {count: 4}
        metrics: [score]
    """))
    assert load_study(path).seeds == (0, 1, 2, 3)

    path.write_text(path.read_text() + "confidence: 0.9\n")
    with pytest.raises(nbc.StudyError, match=r"unknown field 'confidence'\. Did you mean 'confidence_level'\?"):
        load_study(path)


def test_yaml_is_loaded_safely(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo unsafe']\n")
    with pytest.raises(nbc.StudyError, match="invalid YAML"):
        load_study(path)


def test_yaml_candidate_hyperparameters_under_params(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(textwrap.dedent("""
        name: s
        candidates:
          - {name: a, workload: synthetic, mean: 0.0}
          - {name: b, workload: synthetic}
        seeds: [0, 1]
        metrics: [score]
    """))
    with pytest.raises(nbc.StudyError, match=r"candidates\[0\] has unknown key\(s\) \['mean'\].*go under params"):
        load_study(path)


def test_hyperparameter_must_be_plain_data():
    with pytest.raises(nbc.StudyError, match=r"Candidate\('a'\)\.lr=nan is not a finite number"):
        nbc.Candidate("a", "synthetic", lr=float("nan"))
    with pytest.raises(nbc.StudyError, match=r"has type object, which cannot be written to a record"):
        nbc.Candidate("a", "synthetic", thing=object())


def test_function_with_wrong_signature_is_rejected():
    from nbcompare.workloads import get_workload

    # get_workload is importable but takes a single argument.
    with pytest.raises(nbc.TrialFunctionError, match=r"must accept \(config, seed, context\); its signature is \(name: 'str'\)"):
        nbc.Candidate("a", get_workload)


def test_load_study_ignores_executor_section(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(_study().to_yaml() + "executor:\n  kind: slurm\n  account: ml\n  time: '01:00:00'\n")

    from nbcompare.launch import load_executor

    assert load_study(path) == _study()
    choice = load_executor(path)
    assert choice.executor.account == "ml"
    assert choice.executor.time == "01:00:00"


def test_cli_run_rejects_invalid_executor(tmp_path, capsys):
    from nbcompare.cli import main

    path = tmp_path / "study.yaml"
    path.write_text(_study().to_yaml() + "executor: {kind: slurm, account: ml, time: '90 minutes'}\n")

    assert main(["run", str(path), "--results-dir", str(tmp_path / "results")]) == 2

    error = capsys.readouterr().err
    assert f"{path}: Slurm time limit '90 minutes' is invalid" in error
    assert not (tmp_path / "results").exists()


# -- messages name their own class and field ------------------------------------------------


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: _study(name="my study/1"), "Study.name='my study/1' contains ['/']"),
        (lambda: _study(name=" "), "Study.name must be a non-empty string, got ' '."),
        (lambda: _study(name="-study"), "Study.name='-study' starts with '-'"),
        (lambda: _study(name="study\n"), "Study.name='study\\n' contains ['\\n']"),
        (lambda: nbc.Task("train/test"), "Task.name='train/test' contains ['/']"),
        (lambda: nbc.Task(""), "Task.name must be a non-empty string, got ''."),
        (lambda: nbc.Task("t", {"k": float("nan")}), "Task('t').k=nan is not a finite number"),
        (lambda: nbc.Metric("f1/macro"), "Metric.name='f1/macro' contains ['/']"),
        (lambda: nbc.Metric("f1", higher_is_better="yes"), "Metric('f1').higher_is_better must be True or False"),
        (lambda: nbc.Candidate(""), "Candidate.name must be a non-empty string, got ''."),
        (lambda: nbc.Candidate("a\tb"), "Candidate.name='a\\tb' contains control or non-printable characters"),
        (lambda: nbc.Candidate("x" * 201), "Candidate.name has 201 characters"),
        (lambda: nbc.Candidate("a", 3), "Candidate('a').workload must be a workload name"),
        (lambda: nbc.Candidate("a", "synthetic", mean=float("inf")), "Candidate('a').mean=inf is not a finite number"),
    ],
)
def test_error_names_own_class_and_field(build, message):
    with pytest.raises(nbc.StudyError) as raised:
        build()
    assert message in str(raised.value)


def test_study_name_error_is_not_about_metric():
    with pytest.raises(nbc.StudyError) as raised:
        _study(name="my study/1")
    assert "Metric" not in str(raised.value)
    assert "use letters, digits, spaces and _ . - + only" in str(raised.value)


# -- a workload's own config check ----------------------------------------------------------


def test_config_check_of_builtin_workloads():
    from nbcompare.workloads import config_check

    digits_check = config_check(get_workload("digits"))
    synthetic_check = config_check(get_workload("synthetic"))

    digits_check({"architecture": "mlp", "epochs": 3, "task": "digits"})
    with pytest.raises(ValueError, match="hyperparameter 'epochs' of architecture 'mlp' must be a positive integer"):
        digits_check({"architecture": "mlp", "epochs": "abc", "task": "digits"})
    synthetic_check({"mean": 1.0, "task": "synthetic"})
    with pytest.raises(ValueError, match=r"Unknown synthetic hyperparameter\(s\) \['meen'\]"):
        synthetic_check({"meen": 1.0})


def test_config_check_falls_back_to_module(tmp_path, monkeypatch):
    from nbcompare.workloads import Workload, config_check

    (tmp_path / "checked_trials.py").write_text(
        "def check_config(config):\n"
        "    if 'bad' in config:\n"
        "        raise ValueError('bad is not a key')\n"
        "\n"
        "def fit(config, seed, context):\n"
        "    return {'score': 1.0}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with_module_check = Workload("checked", "checked_trials:fit", {"score": True})
    missing_module = Workload("missing", "no_such_module_for_check:fit", {"score": True})

    check = config_check(with_module_check)

    with pytest.raises(ValueError, match="bad is not a key"):
        check({"bad": 1})
    assert config_check(missing_module) is None


def test_register_workload_rejects_check_without_colon():
    from nbcompare.workloads import Workload, register_workload

    workload = Workload("bad-check", "pkg.mod:fit", {"score": True}, check="pkg.mod.check_config")
    with pytest.raises(ValueError, match="Workload.check must look like 'package.module:function'"):
        register_workload(workload)


def test_digits_config_check_needs_no_torch():
    import subprocess
    import sys

    script = textwrap.dedent(
        """
        import sys

        class BlockTorch:
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] == "torch":
                    raise ModuleNotFoundError(f"{name} is blocked by the test")

        sys.meta_path.insert(0, BlockTorch())
        from nbcompare.workloads import config_check, get_workload
        check = config_check(get_workload("digits"))
        try:
            check({"architecture": "mlp", "lr": "fast"})
        except ValueError as error:
            print(error)
        print("torch imported:", "torch" in sys.modules)
        print("sklearn imported:", "sklearn" in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert "hyperparameter 'lr' of architecture 'mlp' must be a positive number, got 'fast'" in result.stdout
    assert "torch imported: False" in result.stdout
    assert "sklearn imported: False" in result.stdout
