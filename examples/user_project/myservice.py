"""The DingTalk side of a small HR service: what a project of yours might do with the SDK.

Every function takes the ``DingTalkApp`` to use, so the service builds it once from its
configuration and the tests pass the sandbox's app instead.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List

from dingtalk import DingTalkApp
from dingtalk.messages import Text


def notify_department(app: DingTalkApp, dept_id: int, text: str) -> Dict[str, Any]:
    """Send ``text`` as one work notice to the members of a department.

    Returns ``{"task_id": ..., "recipients": [userids]}``; ``task_id`` is None (and nothing is
    sent) when the department has no members.
    """
    recipients = [user["userid"] for user in app.get_all_dept_user_list(dept_id)]
    if not recipients:
        return {"task_id": None, "recipients": []}
    sent = app.send_work_notice(Text(text), userid_list=recipients)
    return {"task_id": sent["task_id"], "recipients": recipients}


def pending_approvals(app: DingTalkApp, process_code: str, approver: str,
                      since: datetime) -> List[Dict[str, Any]]:
    """The approval tasks waiting for ``approver`` in instances started since ``since``.

    Each item: ``{"process_instance_id", "task_id", "title"}``.
    """
    waiting = []
    for instance_id in app.iter_process_instance_ids(process_code, since):
        instance = app.get_process_instance(instance_id)
        for task in instance.get("tasks") or []:
            if task.get("userid") == approver and task.get("task_status") == "RUNNING":
                waiting.append({"process_instance_id": instance_id, "task_id": task["taskid"],
                                "title": instance.get("title")})
    return waiting


def approve_all(app: DingTalkApp, process_code: str, approver: str, since: datetime,
                remark: str = "同意") -> List[str]:
    """Agree to every task waiting for ``approver``; returns the instance ids approved."""
    approved = []
    for item in pending_approvals(app, process_code, approver, since):
        app.execute_process_instance(item["process_instance_id"], approver, item["task_id"],
                                     "agree", remark=remark)
        approved.append(item["process_instance_id"])
    return approved
