"""``python -m dingtalk demo`` runs the quick start against an in-process sandbox."""
import subprocess
import sys


def test_demo_runs_end_to_end():
    proc = subprocess.run([sys.executable, "-m", "dingtalk", "demo"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    for step in ("get_label_groups", "get_bpms_instance_list", "app.run(", "async_send_msg",
                 "get_msg_send_progress", "get_jsapi_config"):
        assert step in proc.stdout
    assert "gettoken calls: 1, get_jsapi_ticket calls: 1" in proc.stdout


def test_no_command_prints_help_and_fails():
    proc = subprocess.run([sys.executable, "-m", "dingtalk"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "demo" in proc.stdout


def test_errors_are_one_line_without_traceback():
    proc = subprocess.run([sys.executable, "-m", "dingtalk", "sandbox", "--port", "1", "--host", "256.0.0.1"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("dingtalk: error:")
