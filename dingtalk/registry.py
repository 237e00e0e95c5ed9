"""DingTalk method names → Python methods.

``@dingtalk("dingtalk.corp.ext.listlabelgroups")`` tags a method with one or more DingTalk
method names. Each class that derives from :class:`Registered` collects the tagged methods of
its whole MRO into its own read-only table when the class is created, so a user's subclass gets
its own names without touching anybody else's (there is no global registry)::

    from dingtalk import DingTalkApp, dingtalk

    class MyApp(DingTalkApp):
        @dingtalk("dingtalk.corp.ext.list")
        def get_ext_list(self, size=20, offset=0):
            return self.call_top("dingtalk.corp.ext.list", size=size, offset=offset)

    MyApp(...).run("dingtalk.corp.ext.list", size=20)
"""
from __future__ import annotations

import difflib
from types import MappingProxyType
from typing import Any, Callable, Dict, Iterator, Mapping, Tuple, TypeVar

from .errors import ConfigError, UnknownMethodError

F = TypeVar("F", bound=Callable[..., Any])

_ATTR = "__dingtalk_names__"


def dingtalk(*names: str) -> Callable[[F], F]:
    """Register the decorated method under one or more DingTalk method names.

    >>> class Demo(Registered):
    ...     @dingtalk("dingtalk.demo.hello")
    ...     def hello(self): return "hi"
    >>> Demo().run("dingtalk.demo.hello")
    'hi'
    """
    if not names or not all(isinstance(n, str) and n for n in names):
        raise ConfigError("@dingtalk(...) needs at least one non-empty DingTalk method name")

    def tag(func: F) -> F:
        existing: Tuple[str, ...] = getattr(func, _ATTR, ())
        setattr(func, _ATTR, existing + tuple(n for n in names if n not in existing))
        return func

    return tag


def _collect(cls: type) -> Mapping[str, str]:
    """DingTalk name → attribute name, over the MRO (subclasses override bases)."""
    table: Dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            func = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
            for name in getattr(func, _ATTR, ()):
                table[name] = attr
    return MappingProxyType(table)


class BoundMethods(Mapping[str, Callable[..., Any]]):
    """Read-only mapping of DingTalk name → bound method of one app (``app.methods``)."""

    __slots__ = ("_owner", "_table")

    def __init__(self, owner: Any, table: Mapping[str, str]) -> None:
        self._owner = owner
        self._table = table

    def __getitem__(self, name: str) -> Callable[..., Any]:
        return getattr(self._owner, self._table[name])

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._table))

    def __len__(self) -> int:
        return len(self._table)

    def __repr__(self) -> str:
        return f"<{len(self)} DingTalk methods of {type(self._owner).__name__}>"

    def python_name(self, name: str) -> str:
        """The Python attribute registered for ``name``."""
        return self._table[name]


class Registered:
    """Base that gives a class its ``methods`` table and ``run()``."""

    _dingtalk_table: Mapping[str, str] = MappingProxyType({})

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._dingtalk_table = _collect(cls)

    @property
    def methods(self) -> BoundMethods:
        """Every registered DingTalk name mapped to its bound method."""
        return BoundMethods(self, self._dingtalk_table)

    def run(self, method_name: str, *args: Any, **params: Any) -> Any:
        """Call a method by its DingTalk name, e.g. ``run("dingtalk.corp.ext.listlabelgroups", size=20)``.

        Raises :class:`~dingtalk.errors.UnknownMethodError` (an ``AttributeError``) with close
        matches when nobody registered ``method_name``; errors raised by the method itself
        propagate unchanged.
        """
        attr = self._dingtalk_table.get(method_name)
        if attr is None:
            close = difflib.get_close_matches(method_name, list(self._dingtalk_table), n=3, cutoff=0.6)
            raise UnknownMethodError(method_name, close)
        return getattr(self, attr)(*args, **params)

