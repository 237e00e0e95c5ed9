"""The package type-checks (it ships py.typed, so users' type checkers read our hints)."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_py_typed_is_packaged():
    assert os.path.isfile(os.path.join(ROOT, "dingtalk", "py.typed"))
    with open(os.path.join(ROOT, "setup.py"), encoding="utf-8") as fh:
        assert '"py.typed"' in fh.read()


def test_mypy_finds_no_errors():
    proc = subprocess.run([sys.executable, "-m", "mypy", "dingtalk", "--ignore-missing-imports",
                           "--no-error-summary"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
