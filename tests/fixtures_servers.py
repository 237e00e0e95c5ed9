"""Session-scoped pytest fixtures that run real cache servers.

Pulled into the test suite by ``tests/conftest.py`` (``from tests.fixtures_servers import *``).

* ``redis_server`` → :class:`tests.servers.RedisServer` (``.host``, ``.port``, ``.url``,
  ``.client()``)
* ``memcached_server`` → :class:`tests.servers.MemcachedServer` (``.host``, ``.port``,
  ``.address`` = ``"127.0.0.1:P"``, ``.server`` = ``(host, port)``)
* ``redis_sentinel`` → :class:`tests.servers.RedisSentinel` (``.sentinels``,
  ``.service_name``, ``.master``, ``.master_client()``)
* ``redis_cluster`` → :class:`tests.servers.RedisClusterServers` (``.host``, ``.port``,
  ``.startup_nodes``, ``.client()``)

Servers start on first use, once per test session (once per xdist worker), and stop at
its end. A missing binary fails the test that needs it, naming the apt package.
"""
from __future__ import annotations

from typing import Callable, Iterator, TypeVar

import pytest

from tests import servers

__all__ = ["redis_server", "memcached_server", "redis_sentinel", "redis_cluster"]

T = TypeVar("T")


def _run(start: Callable[[str], T], tmp_path_factory: pytest.TempPathFactory,
         name: str) -> Iterator[T]:
    try:
        server = start(str(tmp_path_factory.mktemp(name)))
    except servers.ServerUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.RedisServer]:
    """A real standalone redis-server on 127.0.0.1."""
    yield from _run(servers.start_redis, tmp_path_factory, "redis")


@pytest.fixture(scope="session")
def memcached_server(tmp_path_factory: pytest.TempPathFactory
                     ) -> Iterator[servers.MemcachedServer]:
    """A real memcached on 127.0.0.1 (TCP only)."""
    yield from _run(servers.start_memcached, tmp_path_factory, "memcached")


@pytest.fixture(scope="session")
def redis_sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.RedisSentinel]:
    """A redis master plus one sentinel monitoring it as ``"mymaster"``."""
    yield from _run(servers.start_sentinel, tmp_path_factory, "sentinel")


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[servers.RedisClusterServers]:
    """A 3-master redis cluster (no replicas)."""
    yield from _run(servers.start_cluster, tmp_path_factory, "cluster")
