"""environment.yml (conda) lists the same dependencies as pyproject.toml."""

from __future__ import annotations

import re

import pytest
import yaml

from helpers.paths import REPO_ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib  # type: ignore[no-redef]

# conda-forge packages that provide a PyPI distribution under another name.
CONDA_TO_PYPI = {
    "matplotlib-base": "matplotlib",
    "seaborn-base": "seaborn",
    "pandera-base": "pandera",
    "pandera-core": "pandera",
}
CONDA_ONLY = {"python", "pip"}
REQUIREMENT_RE = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>.*?)\s*(?:;.*)?$"
)


def normalize(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split(requirement: str) -> tuple[str, str]:
    """(normalized name, version specifier without spaces) of a requirement string."""
    match = REQUIREMENT_RE.match(requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    return normalize(match["name"]), match["spec"].replace(" ", "")


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))


@pytest.fixture(scope="module")
def environment() -> dict:
    path = REPO_ROOT / "environment.yml"
    assert path.is_file(), "environment.yml is missing"
    return yaml.safe_load(path.read_text("utf-8"))


@pytest.fixture(scope="module")
def conda_requirements(environment: dict) -> dict[str, str]:
    """Every package environment.yml installs (conda and pip sections), PyPI names."""
    found: dict[str, str] = {}

    def add(name: str, spec: str, origin: str) -> None:
        assert name not in found, f"{name} is listed twice in environment.yml ({origin})"
        found[name] = spec

    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            assert set(entry) == {"pip"}, f"unexpected section {entry}"
            for requirement in entry["pip"]:
                if requirement.startswith("-"):  # -e . (the project itself), options
                    continue
                add(*split(requirement), "pip")
        else:
            name, spec = split(str(entry))
            add(CONDA_TO_PYPI.get(name, name), spec, "conda")
    return found


def test_conda_forge_channel(environment: dict) -> None:
    assert "conda-forge" in environment["channels"]


def test_python_and_pip(environment: dict, pyproject: dict) -> None:
    conda = [split(str(e)) for e in environment["dependencies"] if not isinstance(e, dict)]
    specs = dict(conda)
    assert specs.get("python") == pyproject["project"]["requires-python"].replace(" ", "")
    assert "pip" in specs


def test_same_packages(pyproject: dict, conda_requirements: dict[str, str]) -> None:
    wanted = dict(split(r) for r in pyproject["project"]["dependencies"])
    listed = {n: s for n, s in conda_requirements.items() if n not in CONDA_ONLY}
    missing = sorted(set(wanted) - set(listed))
    extra = sorted(set(listed) - set(wanted))
    assert not missing, f"in pyproject.toml but not in environment.yml: {missing}"
    assert not extra, f"in environment.yml but not in pyproject.toml: {extra}"


def test_same_versions(pyproject: dict, conda_requirements: dict[str, str]) -> None:
    wanted = dict(split(r) for r in pyproject["project"]["dependencies"])
    differ = {
        name: (spec, conda_requirements[name])
        for name, spec in wanted.items()
        if name in conda_requirements and conda_requirements[name] != spec
    }
    assert not differ, f"version bounds differ (pyproject, environment.yml): {differ}"


def test_installs_the_project(environment: dict) -> None:
    pip = next((e["pip"] for e in environment["dependencies"] if isinstance(e, dict)), [])
    assert any(re.match(r"-e\s+\.(\[|$)", p) for p in pip), "environment.yml must install jixiao"
