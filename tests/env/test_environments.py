"""The three environments' files and the publishing workflow, checked offline (a second or two in all).

The learner's environment itself is built and run in test_learner_env.py.
"""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
# Packages that exist only as GPU builds, or that pull one in from the public index.
GPU_PACKAGES = re.compile(r"^(torch|torchvision|torchaudio|triton|nvidia-.*|jax-cuda.*|jax-rocm.*|cupy.*)$")


def _requirements(path):
    """The requirements of a requirements file, without its -r includes and comments."""
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def _lock():
    return {canonicalize_name(r.name): r for r in _requirements(REPO / "requirements.lock")}


def test_the_workflows_pass_the_github_workflow_schema(tmp_path):
    """check-jsonschema's copy of the GitHub workflow schema (offline); one run, as it takes seconds to start."""
    assert WORKFLOWS, "no workflow in .github/workflows"
    # A control that the linter must reject: a job's "steps" misspelt.
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOWS[0].read_text().replace("    steps:", "    step:", 1))
    command = [CHECK_JSONSCHEMA, "--builtin-schema", "vendor.github-workflows", "-o", "json", *WORKFLOWS, broken]
    result = subprocess.run(command, capture_output=True, text=True)
    report = json.loads(result.stdout)
    failed = {Path(error["filename"]).name for error in report["errors"] + report.get("parse_errors", [])}
    assert failed == {"broken.yml"}, result.stdout


def test_the_book_workflow_builds_with_make_book_and_deploys_the_build_to_pages():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "book.yml").read_text())
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(step.get("run", "").strip() == "make book" for step in steps)
    uploads = [step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert [step["with"]["path"] for step in uploads] == ["_build/html"]
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any(step.get("uses", "").startswith("actions/deploy-pages@") for step in deploy["steps"])
    assert "pull_request" in deploy["if"]  # a pull request builds the book but does not publish it


def test_no_pin_of_any_environment_is_a_gpu_package():
    for name in ("requirements.lock", "requirements-learner.txt", "requirements-instructor.txt"):
        gpu = [str(r) for r in _requirements(REPO / name) if GPU_PACKAGES.match(canonicalize_name(r.name))]
        assert not gpu, f"{name}: {gpu}"
    lock = _lock()
    assert {"jax", "jaxlib", "optax"} <= set(lock), "the test oracle (JAX with optax) is not in requirements.lock"


def test_the_benchmark_installs_pytorchs_cpu_build():
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"TORCH_INDEX \?= https://download\.pytorch\.org/whl/cpu\n", makefile)
    assert "--index-url $(TORCH_INDEX) torch==" in makefile


@pytest.mark.parametrize("name", ["requirements-learner.txt", "requirements-instructor.txt"])
def test_the_maintainers_lock_satisfies_the_learners_and_the_instructors_requirements(name):
    """So that `make test`, run with the lock, tests versions that the other two environments may install."""
    lock = _lock()
    for requirement in _requirements(REPO / name):
        pinned = lock.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{name}: {requirement.name} is not in requirements.lock"
        version = next(iter(pinned.specifier)).version
        assert requirement.specifier.contains(version), f"{name}: {requirement} but the lock pins {version}"


def test_the_learners_package_holds_nnlib_and_the_visible_checks_only():
    learner = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert learner["tool"]["setuptools"]["packages"] == ["nnlib", "course_checks"]
    assert learner["project"]["dependencies"] == ["numpy>=2.0"]
    versions = [c.rsplit(" :: ", 1)[1] for c in learner["project"]["classifiers"] if "Python :: 3." in c]
    assert versions == ["3.11", "3.12", "3.13"]
    instructor = tomllib.loads((REPO / "exercises" / "pyproject.toml").read_text())
    assert instructor["tool"]["setuptools"]["packages"] == ["course_grader", "course_grader.sandboxed"]


def test_binder_installs_exactly_the_learners_environment():
    binder = REPO / "binder"
    lines = [line for line in (binder / "requirements.txt").read_text().splitlines() if not line.startswith("#")]
    assert lines == ["-r ../requirements-learner.txt"]
    assert re.fullmatch(r"python-3\.1[1-3]\n", (binder / "runtime.txt").read_text())
    commands = [line for line in (binder / "postBuild").read_text().splitlines() if line.startswith("pip ")]
    assert commands == ["pip install --no-cache-dir --no-deps ."]  # not editable: the package's data files too
