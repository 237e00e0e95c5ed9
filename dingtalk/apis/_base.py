"""What every API mixin may use: the request helpers of :class:`dingtalk.app.AppBase`.

A mixin only *describes* calls (DingTalk name, path, parameters, how to unpack the answer);
sending, tokens, retries and error mapping happen below it. Mixins never touch ``requests``
or the cache.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional

if TYPE_CHECKING:  # pragma: no cover
    from .._secrets import Secret


class ApiMixin:
    """Base of the per-domain mixins (type declarations only)."""

    if TYPE_CHECKING:  # pragma: no cover - implemented by AppBase
        agent_id: Optional[str]
        corp_id: Optional[str]
        app_key: Optional[str]
        domain: Optional[str]
        callback_url: Optional[str]
        callback_key_id: str
        _aes_key: Optional[Secret]          # reveal() only to send it to DingTalk
        _callback_token: Optional[Secret]
        _clock: Callable[[], float]          # epoch seconds (injectable for tests)

        def _oapi_get(self, path: str, params: Optional[Mapping[str, Any]] = None, *,
                      name: Optional[str] = None, authenticated: bool = True,
                      write: bool = False) -> Dict[str, Any]: ...

        def _oapi_post(self, path: str, body: Any = None, *, name: Optional[str] = None,
                       write: bool = True, params: Optional[Mapping[str, Any]] = None,
                       authenticated: bool = True) -> Dict[str, Any]: ...

        def _oapi_upload(self, path: str, files: Mapping[str, Any], *,
                         params: Optional[Mapping[str, Any]] = None,
                         data: Optional[Mapping[str, Any]] = None, name: Optional[str] = None,
                         write: bool = True) -> Dict[str, Any]: ...

        def _topapi(self, path: str, body: Any = None, *, name: Optional[str] = None,
                    write: bool = False) -> Dict[str, Any]: ...

        def _top(self, method: str, params: Optional[Mapping[str, Any]] = None, *,
                 write: bool = False) -> Dict[str, Any]: ...

        def _v1(self, verb: str, path: str, *, params: Optional[Mapping[str, Any]] = None,
                body: Any = None, name: Optional[str] = None, write: bool = False) -> Dict[str, Any]: ...


def drop_none(**values: Any) -> Dict[str, Any]:
    """The keyword arguments that are not None."""
    return {k: v for k, v in values.items() if v is not None}
