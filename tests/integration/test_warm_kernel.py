"""The runner's pre-started kernel copes with a slow (cold) kernel start."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from helpers import paths, runner

pytestmark = pytest.mark.integration


def test_a_kernel_slow_to_start_is_waited_for_not_declared_dead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cold machine (no bytecode cache, first import of pandas) can take seconds before the
    # kernel answers; the heartbeat has not beaten yet then. Simulate it with a delayed kernel.
    kernels = Path(sys.prefix) / "share" / "jupyter" / "kernels"
    spec = json.loads((kernels / paths.KERNEL_NAME / "kernel.json").read_text("utf-8"))
    spec["argv"] = ["/bin/sh", "-c", 'sleep 3; exec "$0" "$@"', *spec["argv"]]
    slow = kernels / "jixiao-test-slow"
    slow.mkdir(parents=True, exist_ok=True)
    (slow / "kernel.json").write_text(json.dumps(spec), "utf-8")
    monkeypatch.setattr(paths, "KERNEL_NAME", "jixiao-test-slow")
    kernel = runner.WarmKernel()
    try:
        manager = kernel.take(tmp_path)
        assert manager is not None
    finally:
        kernel.shutdown()
        shutil.rmtree(slow, ignore_errors=True)
    assert not kernel.home.exists()
