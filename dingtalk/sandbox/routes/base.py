"""Routing core of the sandbox: :class:`Router`, :class:`Route`, :class:`Ctx`, :class:`RouteError`.

A route is a plain function ``handler(ctx, params) -> payload``. Route modules register
their handlers on a :class:`Router` built for one :class:`~dingtalk.sandbox.Sandbox`
instance (``register(router)``); there is no module-level route table.

Route families (they decide the wire envelope and where the token is read):

* ``oapi``   legacy root paths (``/user/get``): ``{"errcode", "errmsg", ...payload}``,
  token in the ``access_token`` query parameter, POST bodies are JSON;
* ``topapi`` ``/topapi/...`` paths: like ``oapi`` plus a ``request_id``;
* ``top``    methods of the TOP gateway ``/router/rest`` (``dingtalk.corp.ext.list``):
  ``{"<method>_response": {...payload, "request_id"}}``, token in ``session``;
* ``v1``     ``/v1.0/...`` paths of api.dingtalk.com: the payload is the body, errors are a
  non-2xx status with ``{"code", "message", "requestid"}``, token in the header
  ``x-acs-dingtalk-access-token``.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple

OAPI = "oapi"
TOPAPI = "topapi"
TOP = "top"
V1 = "v1"
FAMILIES = (OAPI, TOPAPI, TOP, V1)

Handler = Callable[["Ctx", Dict[str, Any]], Any]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class RouteError(Exception):
    """Raised by a handler to answer with its family's error envelope.

    ``code`` is the oapi ``errcode`` (int), the TOP gateway code (int) or the v1.0 ``code``
    (str). ``status`` is the HTTP status (default: 200, v1.0 400). ``extra`` is merged into
    the envelope (oapi/topapi) or the body (v1.0).
    """

    def __init__(self, code: Any, message: str, *, sub_code: Any = None,
                 sub_msg: Optional[str] = None, status: Optional[int] = None,
                 extra: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        self.status = status
        self.extra = dict(extra or {})


class TopList(list):  # type: ignore[type-arg]
    """A list in a TOP gateway answer.

    Rendered as ``{"<item>": [...]}`` (the gateway's JSON converter) or, with
    ``simplify=true``, as a plain array.
    """

    def __init__(self, item: str, values: Iterable[Any] = ()) -> None:
        super().__init__(values)
        self.item = item


class Route:
    """One registered endpoint."""

    __slots__ = ("family", "verb", "path", "key", "handler", "auth", "pattern", "names")

    def __init__(self, family: str, verb: str, path: str, handler: Handler, *,
                 auth: bool = True) -> None:
        self.family = family
        self.verb = verb
        self.path = path            # URL path (template for v1.0) or TOP method name
        self.key = path             # key in Sandbox.calls and Sandbox.inject()
        self.handler = handler
        self.auth = auth
        self.names: Tuple[str, ...] = tuple(_PLACEHOLDER.findall(path))
        self.pattern = None
        if self.names:
            regex = "".join(
                "(?P<%s>[^/]+)" % part[1:-1] if _PLACEHOLDER.fullmatch(part) else re.escape(part)
                for part in re.split(r"(\{[A-Za-z_][A-Za-z0-9_]*\})", path) if part)
            self.pattern = re.compile(regex + r"\Z")

    def __repr__(self) -> str:
        return f"Route({self.family}, {self.verb} {self.path})"


class Router:
    """The route table of one sandbox.

    ``router.get(path)`` / ``router.post(path)`` register oapi routes (topapi when the path
    starts with ``/topapi/``), ``router.top(method)`` a TOP gateway method and
    ``router.v1(verb, path)`` a v1.0 route (``{name}`` placeholders allowed). Each returns a
    decorator that registers the function and returns it unchanged. ``auth=False`` marks the
    routes that issue tokens (no token check).
    """

    def __init__(self) -> None:
        self._by_path: Dict[str, Dict[str, Route]] = {}
        self._templates: List[Route] = []
        self._top: Dict[str, Route] = {}

    # -- registration -------------------------------------------------------------
    def get(self, path: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        """Register an oapi/topapi ``GET`` route."""
        return self._http(_family_of_path(path), "GET", path, auth)

    def post(self, path: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        """Register an oapi/topapi ``POST`` route (JSON body)."""
        return self._http(_family_of_path(path), "POST", path, auth)

    def v1(self, verb: str, path: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        """Register a v1.0 (api.dingtalk.com) route."""
        if not path.startswith(("/v1.0/", "/v2.0/")):
            raise ValueError(f"v1.0 route path must start with /v1.0/ or /v2.0/: {path!r}")
        return self._http(V1, verb.upper(), path, auth)

    def top(self, method: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        """Register a TOP gateway method (``dingtalk.corp.ext.list``)."""
        def decorator(handler: Handler) -> Handler:
            if method in self._top:
                raise ValueError(f"TOP method registered twice: {method}")
            self._top[method] = Route(TOP, "POST", method, handler, auth=auth)
            return handler
        return decorator

    def _http(self, family: str, verb: str, path: str, auth: bool) -> Callable[[Handler], Handler]:
        if not path.startswith("/"):
            raise ValueError(f"route path must start with '/': {path!r}")

        def decorator(handler: Handler) -> Handler:
            route = Route(family, verb, path, handler, auth=auth)
            verbs = self._by_path.setdefault(path, {})
            if verb in verbs:
                raise ValueError(f"route registered twice: {verb} {path}")
            verbs[verb] = route
            if route.pattern is not None and len(verbs) == 1:
                self._templates.append(route)
            return handler
        return decorator

    # -- lookup ---------------------------------------------------------------------
    def match(self, verb: str, path: str) -> Tuple[Optional[Route], Dict[str, str], Tuple[Route, ...]]:
        """Find the route for ``verb path``.

        Returns ``(route, path_params, routes)``: ``routes`` are all routes of that path (any
        verb); ``route`` is None when none matches ``verb`` (or the path is unknown).
        """
        verbs = self._by_path.get(path)
        params: Dict[str, str] = {}
        if verbs is None:
            for template in self._templates:
                found = template.pattern.match(path) if template.pattern else None
                if found:
                    verbs = self._by_path[template.path]
                    params = found.groupdict()
                    break
        if not verbs:
            return None, {}, ()
        every = tuple(verbs[v] for v in sorted(verbs))
        route = verbs.get(verb)
        if route is None:
            return None, params, every
        if route.pattern is not None and not params:
            found = route.pattern.match(path)
            params = found.groupdict() if found else {}
        return route, params, every

    def top_method(self, method: str) -> Optional[Route]:
        """The route of a TOP gateway method, or None."""
        return self._top.get(method)

    def routes(self) -> List[Route]:
        """Every registered route (HTTP routes first, then TOP methods)."""
        out = [r for verbs in self._by_path.values() for r in verbs.values()]
        return out + list(self._top.values())

    def __len__(self) -> int:
        return len(self.routes())


def _family_of_path(path: str) -> str:
    return TOPAPI if path.startswith("/topapi/") else OAPI


class Ctx:
    """What a handler gets besides its params: the sandbox state and the request.

    Attributes: ``state`` (:class:`~dingtalk.sandbox.state.SandboxState`), ``lock`` (its
    lock), ``route``, ``family``, ``key``, ``verb``, ``path``, ``path_params``, ``query``,
    ``headers``, ``body`` (bytes), ``request_id``, ``token`` and ``app`` (the app the
    access_token belongs to; None on routes without a token check).
    """

    __slots__ = ("state", "lock", "route", "family", "key", "verb", "path", "path_params",
                 "query", "headers", "body", "request_id", "token", "app")

    def __init__(self, state: Any, route: Route, *, verb: str, path: str,
                 query: Mapping[str, str], headers: Mapping[str, str], body: bytes,
                 request_id: str, path_params: Optional[Mapping[str, str]] = None,
                 key: Optional[str] = None) -> None:
        self.state = state
        self.lock = state.lock
        self.route = route
        self.family = route.family
        self.key = key or route.key
        self.verb = verb
        self.path = path
        self.path_params = dict(path_params or {})
        self.query = query
        self.headers = headers
        self.body = body
        self.request_id = request_id
        self.token: Optional[str] = None
        self.app: Optional[str] = None

    # -- family-aware errors ----------------------------------------------------------
    def error(self, code: Any, message: str, **kwargs: Any) -> RouteError:
        """Build a :class:`RouteError` (``raise ctx.error(60121, "找不到该用户")``)."""
        return RouteError(code, message, **kwargs)

    def missing(self, name: str) -> RouteError:
        """The family's error for a missing required parameter."""
        if self.family == TOP:
            return RouteError(40, f"Missing required arguments:{name}",
                              sub_code="isv.missing-parameter", sub_msg=f"缺少参数 {name}")
        if self.family == V1:
            return RouteError(f"Missing{name}", f"{name} is mandatory for this action.",
                              status=400)
        return RouteError(40035, f"缺少参数 {name}")

    def invalid(self, name: str, detail: Optional[str] = None) -> RouteError:
        """The family's error for a parameter with a bad value."""
        if self.family == TOP:
            return RouteError(41, f"Invalid arguments:{name}",
                              sub_code="isv.invalid-parameter", sub_msg=detail or f"参数 {name} 不合法")
        if self.family == V1:
            return RouteError("InvalidParameter", detail or f"{name} is invalid.", status=400)
        return RouteError(40035, detail or f"不合法的参数 {name}")


# -- parameter helpers ------------------------------------------------------------------
# Values arrive as JSON values (oapi/topapi/v1 bodies) or as strings (query strings, TOP
# forms; the official Java SDK also stringifies scalars in JSON bodies).

def str_param(ctx: Ctx, params: Mapping[str, Any], name: str, default: Optional[str] = None,
              *, required: bool = False) -> Optional[str]:
    """A string parameter; empty counts as missing."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise ctx.missing(name)
        return default
    if isinstance(value, (dict, list)):
        raise ctx.invalid(name)
    return str(value)


def int_param(ctx: Ctx, params: Mapping[str, Any], name: str, default: Optional[int] = None,
              *, required: bool = False, minimum: Optional[int] = None,
              maximum: Optional[int] = None) -> Optional[int]:
    """An integer parameter (``5`` or ``"5"``), checked against ``minimum``/``maximum``."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise ctx.missing(name)
        return default
    if isinstance(value, bool):
        raise ctx.invalid(name)
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        raise ctx.invalid(name)
    if minimum is not None and number < minimum:
        raise ctx.invalid(name, f"参数 {name} 不能小于 {minimum}")
    if maximum is not None and number > maximum:
        raise ctx.invalid(name, f"参数 {name} 不能大于 {maximum}")
    return number


def bool_param(ctx: Ctx, params: Mapping[str, Any], name: str,
               default: Optional[bool] = None) -> Optional[bool]:
    """A boolean parameter: ``true``/``false``/``1``/``0`` (any case) or a JSON bool."""
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ctx.invalid(name)


def list_param(ctx: Ctx, params: Mapping[str, Any], name: str, *, required: bool = False,
               max_items: Optional[int] = None) -> List[str]:
    """A list parameter: a JSON array, JSON array text, or comma-separated text.

    Items are returned as stripped strings (empty items dropped).
    """
    value = params.get(name)
    if value is None or value == "" or value == []:
        if required:
            raise ctx.missing(name)
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ctx.invalid(name) from None
        else:
            value = text.split(",")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
        raise ctx.invalid(name)
    items = [str(v).strip() for v in value if str(v).strip()]
    if max_items is not None and len(items) > max_items:
        raise ctx.invalid(name, f"参数 {name} 最多 {max_items} 个")
    return items


def json_param(ctx: Ctx, params: Mapping[str, Any], name: str, *,
               required: bool = False) -> Any:
    """A structured parameter sent as a JSON value or as JSON text (TOP forms)."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise ctx.missing(name)
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ctx.invalid(name) from None
    return value


def page(items: List[Any], offset: int, size: int) -> Tuple[List[Any], bool]:
    """``items[offset:offset+size]`` and whether more follow."""
    chunk = items[offset:offset + size]
    return chunk, offset + size < len(items)


def required_int(ctx: Ctx, params: Mapping[str, Any], name: str, default: Optional[int] = None,
                 **limits: Any) -> int:
    """An integer parameter that is required (``default`` None) or has a default."""
    value = int_param(ctx, params, name, default, required=default is None, **limits)
    if value is None:  # pragma: no cover - int_param raised already
        raise ctx.missing(name)
    return value


def required_str(ctx: Ctx, params: Mapping[str, Any], name: str) -> str:
    """A required string parameter."""
    value = str_param(ctx, params, name, required=True)
    if value is None:  # pragma: no cover - str_param raised already
        raise ctx.missing(name)
    return value
