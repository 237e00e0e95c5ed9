"""Checks of DingTalk's documented limits, made before any request is sent."""
from __future__ import annotations

from typing import Any, Iterable, List, Optional, Union

from ..errors import ParameterError


def page_size(name: str, value: Any, maximum: int, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ParameterError(f"{name} must be an integer from {minimum} to {maximum} (DingTalk's limit), got {value!r}")
    return value


def offset(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParameterError(f"{name} must be an integer >= 0, got {value!r}")
    return value


def id_list(name: str, value: Union[None, str, int, Iterable[Any]], maximum: Optional[int] = None) -> Optional[List[str]]:
    """A list of ids from a list/tuple/set or a comma-separated string; None stays None."""
    if value is None:
        return None
    if isinstance(value, (str, int)):
        items = [s.strip() for s in str(value).split(",") if s.strip()]
    else:
        items = [str(v).strip() for v in value]
    if maximum is not None and len(items) > maximum:
        raise ParameterError(f"{name} takes at most {maximum} ids per call (DingTalk's limit), got {len(items)}")
    return items


def required(name: str, value: Any) -> Any:
    if value is None or value == "" or value == []:
        raise ParameterError(f"{name} is required")
    return value
