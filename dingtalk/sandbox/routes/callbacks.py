"""Callback management: ``/call_back/register_call_back``, ``update_call_back``,
``get_call_back``, ``delete_call_back`` and ``get_call_back_failed_result``.

One registration per sandbox (per corp, as on DingTalk), kept in :class:`CallbacksState` with
the url, token, aes_key, tags and the key id (the corp id). Registering or updating first sends
``check_url`` to the URL and fails with 71009 unless it answers the encrypted ``success``; then
:func:`emit` pushes every subscribed event there (see :mod:`dingtalk.sandbox.push`).

Failed pushes: :meth:`CallbacksState.add_failed` queues events; each
``get_call_back_failed_result`` call hands out (and removes) up to 200 of them with ``has_more``.

Errors (DingTalk's global codes): 71006 回调地址已经存在, 71007 回调地址已不存在, 71008 unknown tag,
71010 missing/invalid fields, 71011 bad url, 900004 不合法的aeskey.
"""
from __future__ import annotations

import re
import time
from typing import Any, Dict, Iterable, List, Optional

from ..push import EventPusher
from .base import Ctx, Router, RouteError, list_param

DOMAIN = "callbacks"
FAILED_BATCH = 200
_AES_KEY = re.compile(r"^[A-Za-z0-9]{43}$")
_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.I)

#: call_back_tag values DingTalk accepts (its list grows; this is the sandbox's copy).
CALLBACK_TAGS = frozenset({
    "user_add_org", "user_modify_org", "user_leave_org", "user_active_org",
    "org_admin_add", "org_admin_remove", "org_dept_create", "org_dept_modify", "org_dept_remove",
    "org_remove", "org_change", "label_user_change", "label_conf_add", "label_conf_del",
    "label_conf_modify", "bpms_task_change", "bpms_instance_change",
    "chat_add_member", "chat_remove_member", "chat_quit", "chat_update_owner", "chat_update_title",
    "chat_disband", "chat_disband_microapp", "check_in", "attendance_check_record",
    "attendance_schedule_change", "attendance_overtime_duration", "meetingroom_book",
    "meetingroom_room_info",
})


class CallbacksState:
    """The corp's callback registration and its queue of failed pushes (hold ``state.lock``)."""

    def __init__(self, state: Any) -> None:
        self.key_id: str = state.credentials.corp_id
        self.registration: Optional[Dict[str, Any]] = None
        self.failed: List[Dict[str, Any]] = []
        self.history: List[Dict[str, Any]] = []
        self._lock = state.lock
        settings = dict(getattr(state, "push_settings", None) or {})
        self.check_url = bool(settings.pop("check_url", True))
        self.pusher = EventPusher(self._current, self._failed_push, **settings)

    def _current(self) -> Optional[Dict[str, Any]]:
        with self._lock:
            return None if self.registration is None else dict(self.registration)

    def _failed_push(self, event: Dict[str, Any]) -> None:
        with self._lock:
            self.add_failed(str(event.get("EventType")), userid=event.get("UserId") or (),
                            deptid=event.get("DeptId") or (), event=event)

    def add_failed(self, call_back_tag: str, *, userid: Iterable[str] = (), deptid: Iterable[int] = (),
                   event_time: Optional[int] = None, **extra: Any) -> Dict[str, Any]:
        """Queue an event that "could not be pushed" (for tests of the failed-result API)."""
        event: Dict[str, Any] = {"event_time": int(event_time if event_time is not None else time.time() * 1000),
                                 "call_back_tag": call_back_tag, "corpid": self.key_id}
        if userid:
            event["userid"] = list(userid)
        if deptid:
            event["deptid"] = list(deptid)
        event.update(extra)
        self.failed.append(event)
        return event


def _callbacks(ctx: Ctx) -> CallbacksState:
    return ctx.state.domain(DOMAIN, CallbacksState)


def _bad_fields(detail: str) -> RouteError:
    return RouteError(71010, f"POST的JSON数据不包含所需要的参数字段或包含的参数格式非法: {detail}")


def _registration(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """The validated ``{call_back_tag, token, aes_key, url}`` of a register/update body."""
    try:
        tags = list_param(ctx, params, "call_back_tag")
    except RouteError:
        raise _bad_fields("call_back_tag") from None
    if not tags:
        raise _bad_fields("call_back_tag")
    unknown = [t for t in tags if t not in CALLBACK_TAGS]
    if unknown:
        raise ctx.error(71008, "回调call_back_tag必须在指定的call_back_tag列表中")
    values = {}
    for name in ("token", "aes_key", "url"):
        value = params.get(name)
        if not isinstance(value, str) or not value:
            raise _bad_fields(name)
        values[name] = value
    if not _AES_KEY.match(values["aes_key"]):
        raise ctx.error(900004, "不合法的aeskey")
    if not _URL.match(values["url"]):
        raise ctx.error(71011, "传入的url参数不是合法的url格式")
    return {"call_back_tag": list(dict.fromkeys(tags)), **values}


def _check_url(ctx: Ctx, cb: CallbacksState, record: Dict[str, Any]) -> None:
    if not cb.check_url:
        return
    failure = cb.pusher.check_url(dict(record, key_id=cb.key_id))
    if failure is not None:
        raise ctx.error(71009, f"返回文本非success ({failure})")


def emit(state: Any, event_type: str, **fields: Any) -> Any:
    """Push ``event_type`` with ``fields`` if a callback subscribes to it (route modules call this
    after changing state). ``CorpId`` and ``TimeStamp`` are added; returns the queued delivery."""
    event: Dict[str, Any] = {"EventType": event_type}
    if "corpId" not in fields:  # approval events spell it corpId
        event["CorpId"] = state.credentials.corp_id
    event["TimeStamp"] = str(int(time.time() * 1000))
    event.update(fields)
    return state.domain(DOMAIN, CallbacksState).pusher.emit(event)


def register_call_back(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /call_back/register_call_back`` {call_back_tag, token, aes_key, url}."""
    record = _registration(ctx, params)
    with ctx.lock:
        cb = _callbacks(ctx)
        if cb.registration is not None:
            raise ctx.error(71006, "回调地址已经存在")
    _check_url(ctx, cb, record)  # outside the lock: the receiver may call us back
    with ctx.lock:
        if cb.registration is not None:
            raise ctx.error(71006, "回调地址已经存在")
        cb.registration = dict(record, key_id=cb.key_id, registered_at=time.time())
        cb.history.append({"action": "register", **record})
    return {}


def update_call_back(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /call_back/update_call_back`` {call_back_tag, token, aes_key, url}."""
    record = _registration(ctx, params)
    with ctx.lock:
        cb = _callbacks(ctx)
        if cb.registration is None:
            raise ctx.error(71007, "回调地址已不存在")
    _check_url(ctx, cb, record)
    with ctx.lock:
        if cb.registration is None:
            raise ctx.error(71007, "回调地址已不存在")
        cb.registration.update(record, updated_at=time.time())
        cb.history.append({"action": "update", **record})
    return {}


def get_call_back(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /call_back/get_call_back`` → ``call_back_tag``, ``token``, ``aes_key``, ``url``."""
    with ctx.lock:
        reg = _callbacks(ctx).registration
        if reg is None:
            raise ctx.error(71007, "回调地址已不存在")
        return {"call_back_tag": list(reg["call_back_tag"]), "token": reg["token"],
                "aes_key": reg["aes_key"], "url": reg["url"]}


def delete_call_back(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /call_back/delete_call_back``."""
    with ctx.lock:
        cb = _callbacks(ctx)
        if cb.registration is None:
            raise ctx.error(71007, "回调地址已不存在")
        cb.registration = None
        cb.history.append({"action": "delete"})
    return {}


def get_call_back_failed_result(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /call_back/get_call_back_failed_result`` → the next ≤ 200 failed events, ``has_more``."""
    with ctx.lock:
        cb = _callbacks(ctx)
        batch, cb.failed = cb.failed[:FAILED_BATCH], cb.failed[FAILED_BATCH:]
        return {"has_more": bool(cb.failed), "failed_list": batch}


def register(router: Router) -> None:
    router.post("/call_back/register_call_back")(register_call_back)
    router.post("/call_back/update_call_back")(update_call_back)
    router.get("/call_back/get_call_back")(get_call_back)
    router.get("/call_back/delete_call_back")(delete_call_back)
    router.get("/call_back/get_call_back_failed_result")(get_call_back_failed_result)
