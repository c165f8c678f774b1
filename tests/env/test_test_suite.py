"""make test's own machinery: pytest-xdist keeps each group of tests (tests/conftest.py) on one worker.

When a group is split, every worker that runs one of its tests builds the group's shared fixture again: a graded
course or the attack suite costs minutes, and make test outgrew CI's budget that way, without a failing test.
"""

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODULES = ("tests/lib/test_neuron.py", "tests/lib/test_layer.py")  # small and fast: one group each


def test_xdist_keeps_each_group_on_one_worker():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider", *MODULES],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    workers = defaultdict(set)
    for worker, module in re.findall(r"^\[(gw\d)\] .*?PASSED (\S+?\.py)::", result.stdout, re.M):
        workers[module].add(worker)
    assert set(workers) == set(MODULES), result.stdout[-3000:]
    split = {module: sorted(names) for module, names in workers.items() if len(names) > 1}
    assert not split, f"groups split over workers (is pytest-xdist's loadgroup ignored?): {split}"
