"""回调管理: registering the app's event callback URL with DingTalk (``call_back/*``).

This module only manages the registration; decrypting and answering the pushed events is the
job of :mod:`dingtalk.crypto` and the callback helpers. The token and aes_key come from
``DingTalkApp(token=..., aes_key=..., callback_url=...)`` (or per call) and are revealed only
to build the request body: they never appear in logs or error messages.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, Iterable, Iterator, List, Optional, Union

from ..errors import ConfigError, ParameterError
from ..registry import dingtalk
from . import _limits
from ._base import ApiMixin

logger = logging.getLogger("dingtalk")

#: Event tags (call_back_tag) DingTalk documents for corp callbacks. An unknown tag is still
#: sent (DingTalk adds tags over time) but logged as a warning.
KNOWN_CALLBACK_TAGS = (
    # contacts (通讯录)
    "user_add_org", "user_modify_org", "user_leave_org", "user_active_org",
    "org_admin_add", "org_admin_remove", "org_dept_create", "org_dept_modify", "org_dept_remove",
    "org_remove", "org_change",
    "label_user_change", "label_conf_add", "label_conf_del", "label_conf_modify",
    # approvals (审批)
    "bpms_task_change", "bpms_instance_change",
    # group chats (群会话)
    "chat_add_member", "chat_remove_member", "chat_quit", "chat_update_owner", "chat_update_title",
    "chat_disband", "chat_disband_microapp",
    # check-in and attendance (签到, 考勤)
    "check_in", "attendance_check_record", "attendance_schedule_change",
    "attendance_overtime_duration",
    # meeting rooms (会议室)
    "meetingroom_book", "meetingroom_room_info",
)

_AES_KEY = re.compile(r"^[A-Za-z0-9]{43}$")
#: failed events DingTalk returns per call at most
FAILED_BATCH = 200

Tags = Union[str, Iterable[str]]


class CallbacksMixin(ApiMixin):
    """回调管理: register, update, query and delete the event callback; failed pushes."""

    def _callback_body(self, operation: str, callback_tag: Tags, url: Optional[str],
                       token: Optional[str], aes_key: Optional[str]) -> Dict[str, Any]:
        tags = _limits.id_list("callback_tag", callback_tag)
        if not tags:
            raise ParameterError("callback_tag needs at least one event tag, e.g. ['user_add_org']")
        for tag in tags:
            if tag not in KNOWN_CALLBACK_TAGS:
                logger.warning("%s: %r is not a callback tag this SDK knows; sending it anyway "
                               "(see dingtalk.apis.callbacks.KNOWN_CALLBACK_TAGS)", operation, tag)
        if aes_key is not None and not (isinstance(aes_key, str) and _AES_KEY.match(aes_key)):
            length = len(aes_key) if isinstance(aes_key, str) else type(aes_key).__name__
            raise ParameterError(f"aes_key must be exactly 43 letters and digits (got {length})")
        if token is not None and (not isinstance(token, str) or not token):
            raise ParameterError("token must be a non-empty string")
        final_url = url or self.callback_url
        final_token = token if token is not None else (self._callback_token.reveal()
                                                       if self._callback_token else None)
        final_key = aes_key if aes_key is not None else (self._aes_key.reveal() if self._aes_key else None)
        missing = [name for name, value in (("aes_key", final_key), ("token", final_token),
                                            ("callback_url", final_url)) if not value]
        if missing:
            raise ConfigError(f"{operation} needs {', '.join(missing)}: pass them to this call "
                              "(url=, token=, aes_key=) or to DingTalkApp(callback_url=..., token=..., aes_key=...)")
        return {"call_back_tag": tags, "token": final_token, "aes_key": final_key, "url": final_url}

    @dingtalk("dingtalk.oapi.call_back.register_call_back")
    def register_callback(self, callback_tag: Tags, url: Optional[str] = None, token: Optional[str] = None,
                          aes_key: Optional[str] = None) -> Dict[str, Any]:
        """Register the callback URL for the event tags ``callback_tag`` (a list or one tag).

        ``url``/``token``/``aes_key`` default to ``DingTalkApp(callback_url=, token=, aes_key=)``.
        DingTalk then pushes an encrypted ``check_url`` event to the URL, which must answer with
        the encrypted ``success``. Returns DingTalk's whole answer.
        Doc: https://open.dingtalk.com/document/orgapp/registers-event-callback-interfaces

        >>> app.register_callback(["user_add_org", "user_leave_org"])  # doctest: +SKIP
        """
        body = self._callback_body("register_callback", callback_tag, url, token, aes_key)
        return self._oapi_post("/call_back/register_call_back", body,
                               name="dingtalk.oapi.call_back.register_call_back", write=True)

    @dingtalk("dingtalk.oapi.call_back.update_call_back")
    def update_callback(self, callback_tag: Tags, url: Optional[str] = None, token: Optional[str] = None,
                        aes_key: Optional[str] = None) -> Dict[str, Any]:
        """Replace the registered callback (tags, URL, token, aes_key); same arguments as
        :meth:`register_callback`. Returns DingTalk's whole answer.

        Doc: https://open.dingtalk.com/document/orgapp/update-event-callback-interface

        >>> app.update_callback(["user_add_org"], url="https://example.com/dingtalk")  # doctest: +SKIP
        """
        body = self._callback_body("update_callback", callback_tag, url, token, aes_key)
        return self._oapi_post("/call_back/update_call_back", body,
                               name="dingtalk.oapi.call_back.update_call_back", write=True)

    @dingtalk("dingtalk.oapi.call_back.get_call_back")
    def get_callback(self) -> Dict[str, Any]:
        """The registered callback: ``{call_back_tag, token, aes_key, url}`` (secrets included:
        do not log the result).

        Doc: https://open.dingtalk.com/document/orgapp/query-the-event-callback-interface

        >>> app.get_callback()["url"]  # doctest: +SKIP
        """
        data = self._oapi_get("/call_back/get_call_back", name="dingtalk.oapi.call_back.get_call_back")
        return {key: data.get(key) for key in ("call_back_tag", "token", "aes_key", "url")}

    @dingtalk("dingtalk.oapi.call_back.delete_call_back")
    def delete_callback(self) -> Dict[str, Any]:
        """Delete the registered callback. Returns DingTalk's whole answer.

        Doc: https://open.dingtalk.com/document/orgapp/delete-event-callback-interface

        >>> app.delete_callback()  # doctest: +SKIP
        """
        return self._oapi_get("/call_back/delete_call_back", name="dingtalk.oapi.call_back.delete_call_back",
                              write=True)

    def _failed_batch(self) -> Dict[str, Any]:
        # Each call hands out the next batch (DingTalk removes what it returned), so it is not
        # retried when the answer may have been lost.
        data = self._oapi_get("/call_back/get_call_back_failed_result",
                              name="dingtalk.oapi.call_back.get_call_back_failed_result", write=True)
        return {"failed_list": data.get("failed_list") or [], "has_more": bool(data.get("has_more"))}

    @dingtalk("dingtalk.oapi.call_back.get_call_back_failed_result")
    def get_call_back_failed_result(self) -> List[Dict[str, Any]]:
        """The next batch (up to 200) of events DingTalk failed to push: ``failed_list``.

        DingTalk hands each failed event out once; use :meth:`iter_call_back_failed_result`
        to drain them all. Doc: https://open.dingtalk.com/document/orgapp/obtain-the-push-failure-result

        >>> for event in app.get_call_back_failed_result(): print(event["call_back_tag"])  # doctest: +SKIP
        """
        return self._failed_batch()["failed_list"]

    def iter_call_back_failed_result(self, max_batches: Optional[int] = None) -> Iterator[Dict[str, Any]]:
        """Every failed event, batch after batch while DingTalk says ``has_more``
        (at most ``max_batches`` calls when given).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-push-failure-result

        >>> events = list(app.iter_call_back_failed_result())  # doctest: +SKIP
        """
        if max_batches is not None:
            _limits.page_size("max_batches", max_batches, 10 ** 9)
        calls = 0
        while True:
            batch = self._failed_batch()
            calls += 1
            yield from batch["failed_list"]
            if not batch["has_more"] or not batch["failed_list"]:
                return
            if max_batches is not None and calls >= max_batches:
                return

    def get_all_call_back_failed_result(self) -> List[Dict[str, Any]]:
        """Every failed event (drains DingTalk's queue).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-the-push-failure-result

        >>> len(app.get_all_call_back_failed_result())  # doctest: +SKIP
        """
        return list(self.iter_call_back_failed_result())
