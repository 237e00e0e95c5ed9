"""README.md stays true: the generated API table is current, the two commands are there, CI runs the test command."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as fh:
        return fh.read()


def test_api_table_is_current():
    proc = subprocess.run([sys.executable, "scripts/api_table.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_every_registered_name_is_in_the_readme():
    from dingtalk import DingTalkApp

    readme = read("README.md")
    missing = [name for name in DingTalkApp._dingtalk_table if f"`{name}`" not in readme]
    assert missing == []


def test_the_two_commands_and_ci():
    readme = read("README.md")
    assert "bash scripts/test.sh" in readme
    assert "pip install -e . && python -m dingtalk demo" in readme
    assert "bash scripts/test.sh" in read(".ci/run")


def test_readme_sandbox_example_runs(capsys):
    readme = read("README.md")
    start = readme.index("```python\nfrom dingtalk import DingTalkApp\nfrom dingtalk.sandbox import Sandbox")
    code = readme[start + len("```python\n"): readme.index("```", start + 10)]
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out.split()
    assert out == ["李娜", "3"]  # two busy answers retried, then the user
