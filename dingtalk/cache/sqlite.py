"""A cache in one SQLite file: shared by every process on one host, no server needed.

This is the embedded choice for several worker processes of one service (gunicorn, uwsgi,
Celery prefork) on one machine. Hosts that do not share a local disk need Redis or
Memcached; do not put the file on a network file system (SQLite's WAL mode needs shared
memory, which NFS/SMB do not provide).
"""
from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from typing import Any, List, Optional, Union

from ..errors import CacheError, ConfigError
from .base import Cache, Value, check_key, check_ttl, to_text

__all__ = ["SQLiteCache"]

_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")

#: Connections a process inherited through ``fork()``. SQLite forbids using them in the
#: child, and closing them there can disturb the parent's locks, so they are parked here
#: (never used, never closed) for the life of the process.
_INHERITED: List[sqlite3.Connection] = []


class SQLiteCache(Cache):
    """A :class:`~dingtalk.cache.Cache` stored in the SQLite file at ``path``.

    One table ``(key TEXT PRIMARY KEY, value TEXT, expires_at REAL)`` holds the entries;
    ``expires_at`` is wall-clock time (:func:`time.time`), so every process of the host
    agrees on it. The database runs in WAL mode, waits up to ``timeout`` seconds for a
    lock held by another process, and :meth:`add` is a single ``INSERT ... ON CONFLICT``
    statement, hence atomic across threads and processes.

    Each thread of each process gets its own connection (connections are re-opened after
    ``fork()``). The file is created (mode 0600, it holds secrets) if it does not exist;
    its directory must exist. Expired rows are removed lazily.

    >>> import os, tempfile
    >>> cache = SQLiteCache(os.path.join(tempfile.mkdtemp(), "dingtalk-cache.sqlite3"))
    >>> cache.add("dingtalk:test:lock", "1", 30)
    True
    >>> cache.add("dingtalk:test:lock", "1", 30)
    False
    """

    #: Seconds between sweeps of expired rows (per connection).
    purge_interval = 300.0

    def __init__(self, path: Union[str, "os.PathLike[str]"], *, table: str = "dingtalk_cache",
                 timeout: float = 10.0) -> None:
        path = os.fspath(path)
        if not isinstance(path, str):
            path = os.fsdecode(path)
        if not path or path == ":memory:" or path.startswith("file::memory:"):
            raise ConfigError("SQLiteCache needs a file path that all processes share; "
                              "use MemoryCache for an in-process cache")
        if not _TABLE_NAME.match(table):
            raise ConfigError(f"invalid SQLite table name {table!r}")
        if sqlite3.sqlite_version_info < (3, 24, 0):
            raise ConfigError(f"SQLiteCache needs SQLite >= 3.24 (UPSERT), this Python "
                              f"has {sqlite3.sqlite_version}")
        self.path = path
        self.table = table
        self.timeout = float(timeout)
        self._local = threading.local()
        t = table
        self._sql_get = f"SELECT value FROM {t} WHERE key = ? AND expires_at > ?"
        self._sql_set = (f"INSERT INTO {t} (key, value, expires_at) VALUES (?, ?, ?) "
                         f"ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                         f"expires_at = excluded.expires_at")
        # Inserts a new row, or replaces a row that has expired; a live row is left alone
        # and the statement changes nothing (rowcount 0).
        self._sql_add = self._sql_set + f" WHERE {t}.expires_at <= ?"
        self._sql_delete = f"DELETE FROM {t} WHERE key = ?"
        self._sql_purge = f"DELETE FROM {t} WHERE expires_at <= ?"
        self._connection()          # fail early on an unusable path

    # -- connections ---------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        local = self._local
        conn = getattr(local, "conn", None)
        pid = os.getpid()
        if conn is not None:
            if local.pid == pid:
                return conn
            _INHERITED.append(conn)         # inherited through fork(): never touch it
            local.conn = None
        try:
            conn = self._open()
        except sqlite3.Error as exc:
            raise CacheError(f"cannot open SQLite cache {self.path!r}: {exc}") from None
        local.conn, local.pid, local.purged = conn, pid, time.time()
        return conn

    def _open(self) -> sqlite3.Connection:
        if not os.path.exists(self.path):
            try:
                os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            except OSError as exc:
                raise sqlite3.OperationalError(exc.strerror or str(exc)) from None
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            if mode and str(mode[0]).lower() == "wal":
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} ("
                         "key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, "
                         "expires_at REAL NOT NULL)")
        except BaseException:
            conn.close()
            raise
        return conn

    def _run(self, op: str, sql: str, params: Any) -> sqlite3.Cursor:
        conn = self._connection()
        try:
            return conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise CacheError(f"SQLite cache {op} failed ({self.path!r}): "
                             f"{type(exc).__name__}: {exc}") from None

    def _maybe_purge(self, now: float) -> None:
        local = self._local
        if now - getattr(local, "purged", now) >= self.purge_interval:
            local.purged = now
            self._run("purge", self._sql_purge, (now,))

    # -- Cache -----------------------------------------------------------------------------
    def get(self, key: str) -> Optional[str]:
        check_key(key)
        row = self._run("get", self._sql_get, (key, time.time())).fetchone()
        return None if row is None else to_text(row[0])

    def set(self, key: str, value: Value, ttl: int) -> None:
        check_key(key)
        value, ttl = to_text(value), check_ttl(ttl)
        now = time.time()
        self._run("set", self._sql_set, (key, value, now + ttl))
        self._maybe_purge(now)

    def delete(self, key: str) -> None:
        check_key(key)
        self._run("delete", self._sql_delete, (key,))

    def add(self, key: str, value: Value, ttl: int) -> bool:
        check_key(key)
        value, ttl = to_text(value), check_ttl(ttl)
        now = time.time()
        stored = self._run("add", self._sql_add, (key, value, now + ttl, now)).rowcount == 1
        self._maybe_purge(now)
        return stored

    def close(self) -> None:
        """Close the calling thread's connection (it is re-opened on next use)."""
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            local.conn = None
            conn.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r}, table={self.table!r})"
