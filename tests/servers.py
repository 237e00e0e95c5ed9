"""Start and stop real ``redis-server`` and ``memcached`` processes for the tests.

Every server listens on 127.0.0.1 on a free port, keeps its files in a directory of its
own, and is stopped by :meth:`stop` (and, as a safety net, when the interpreter exits).
A missing binary raises :class:`ServerUnavailable` (a ``RuntimeError``) naming the apt
package to install: these tests never skip silently.

Nothing here imports redis-py or a memcached client: the servers are probed with raw
sockets, so the helpers work whatever client a test uses.

    server = start_redis(tmp_dir)      # RedisServer: .host .port .url
    ...
    server.stop()
"""
from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from typing import Callable, List, Optional, Sequence, Tuple

__all__ = [
    "ServerUnavailable", "free_port", "RedisServer", "MemcachedServer", "RedisSentinel",
    "RedisClusterServers", "start_redis", "start_memcached", "start_sentinel",
    "start_cluster", "stop_all",
]

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 10.0
_PACKAGES = {"redis-server": "redis-server", "memcached": "memcached"}
_RUNNING: List["_Process"] = []


class ServerUnavailable(RuntimeError):
    """A server binary is missing or the server did not start."""


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ServerUnavailable(
            f"'{name}' is not installed, and the cache tests need a real server: "
            f"install it with `apt-get install -y {_PACKAGES.get(name, name)}`")
    return path


def free_port(exclude: Sequence[int] = ()) -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((HOST, 0))
            port = sock.getsockname()[1]
        if port not in exclude:
            return port
    raise ServerUnavailable("no free TCP port found")


def _free_port_pair(offset: int = 10000) -> int:
    """A port P with P and P+offset both free (a redis cluster node and its bus port)."""
    import random
    for _ in range(200):
        port = random.randint(11000, 65535 - offset)
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind((HOST, port))
                b.bind((HOST, port + offset))
            return port
        except OSError:
            continue
    raise ServerUnavailable("no free port pair found for a redis cluster node")


def _ask(port: int, request: bytes, timeout: float = 1.0) -> bytes:
    """Send one raw command, return what came back first (b'' on any failure)."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(request)
            sock.settimeout(timeout)
            return sock.recv(65536)
    except OSError:
        return b""


def _redis_cmd(port: int, *args: str) -> bytes:
    """One redis command in RESP, reply returned raw."""
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return _ask(port, b"".join(parts))


class _Process:
    """One server process with its log file."""

    def __init__(self, name: str, argv: List[str], workdir: str) -> None:
        self.name = name
        self.argv = argv
        self.workdir = workdir
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.argv, cwd=self.workdir, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT)
        _RUNNING.append(self)

    def log_tail(self, lines: int = 20) -> str:
        try:
            with open(self.log_path, "r", errors="replace") as fh:
                return "".join(fh.readlines()[-lines:])
        except OSError:
            return ""

    def wait_until(self, ready: Callable[[], bool], what: str,
                   timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerUnavailable(
                    f"{self.name} exited with code {self.proc.returncode} before {what}:\n"
                    f"{' '.join(self.argv)}\n{self.log_tail()}")
            if ready():
                return
            time.sleep(0.05)
        self.stop()
        raise ServerUnavailable(f"{self.name} did not {what} within {timeout:.0f} s:\n"
                                f"{' '.join(self.argv)}\n{self.log_tail()}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if self in _RUNNING:
            _RUNNING.remove(self)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def stop_all() -> None:
    """Stop every server these helpers started and that is still running."""
    for process in list(_RUNNING):
        process.stop()


atexit.register(stop_all)


def _workdir(base: Optional[str], name: str) -> str:
    if base is None:
        return tempfile.mkdtemp(prefix=f"dingtalk-{name}-")
    os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix=f"{name}-", dir=base)


# -- redis ------------------------------------------------------------------------------------

class _RunningServer:
    """What every started server offers: ``host``, ``port``, ``running``, ``stop()``."""

    host = HOST

    def __init__(self, process: _Process, port: int) -> None:
        self._process = process
        self.port = port
        self.workdir = process.workdir

    @property
    def running(self) -> bool:
        return self._process.running

    def stop(self) -> None:
        self._process.stop()


class RedisServer(_RunningServer):
    """A running ``redis-server``: ``host``, ``port``, ``url`` (``redis://127.0.0.1:P/0``)."""

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def ping(self) -> bool:
        return _redis_cmd(self.port, "PING").startswith(b"+PONG")

    def client(self, **kwargs):
        """A ``redis.Redis`` for this server (imports redis-py)."""
        import redis
        return redis.Redis(host=self.host, port=self.port, **kwargs)

    def __repr__(self) -> str:
        return f"RedisServer({self.url})"


def _start_redis_process(name: str, extra: List[str], workdir: str,
                         port: Optional[int] = None) -> Tuple[_Process, int]:
    binary = _binary("redis-server")
    last_error: Optional[Exception] = None
    for _ in range(3):                        # the free port may be taken in the meantime
        p = port or free_port()
        argv = [binary, "--port", str(p), "--bind", HOST, "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--dir", workdir, "--protected-mode", "no"] + extra
        process = _Process(f"{name}-{p}", argv, workdir)
        process.start()
        try:
            process.wait_until(lambda: _redis_cmd(p, "PING").startswith(b"+PONG"),
                               "answer PING")
            return process, p
        except ServerUnavailable as exc:
            process.stop()
            last_error = exc
            if port is not None:
                break
    raise ServerUnavailable(str(last_error))


def start_redis(base_dir: Optional[str] = None) -> RedisServer:
    """Start a standalone ``redis-server`` (no persistence) and wait until it answers."""
    workdir = _workdir(base_dir, "redis")
    process, port = _start_redis_process("redis", [], workdir)
    return RedisServer(process, port)


# -- memcached --------------------------------------------------------------------------------

class MemcachedServer(_RunningServer):
    """A running ``memcached``: ``host``, ``port``, ``address`` (``"127.0.0.1:P"``)."""

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def server(self) -> Tuple[str, int]:
        """``(host, port)``, as pymemcache takes it."""
        return (self.host, self.port)

    def ping(self) -> bool:
        return _ask(self.port, b"version\r\n").startswith(b"VERSION")

    def __repr__(self) -> str:
        return f"MemcachedServer({self.address})"


def start_memcached(base_dir: Optional[str] = None) -> MemcachedServer:
    """Start ``memcached`` (TCP only, 64 MB) and wait until it answers ``version``."""
    binary = _binary("memcached")
    workdir = _workdir(base_dir, "memcached")
    last_error: Optional[Exception] = None
    for _ in range(3):
        port = free_port()
        argv = [binary, "-p", str(port), "-l", HOST, "-U", "0", "-m", "64"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            argv += ["-u", "root"]
        process = _Process(f"memcached-{port}", argv, workdir)
        process.start()
        try:
            process.wait_until(
                lambda: _ask(port, b"version\r\n").startswith(b"VERSION"), "answer 'version'")
            return MemcachedServer(process, port)
        except ServerUnavailable as exc:
            process.stop()
            last_error = exc
    raise ServerUnavailable(str(last_error))


# -- redis sentinel ---------------------------------------------------------------------------

class RedisSentinel:
    """One redis master watched by one ``redis-server --sentinel``.

    ``master`` is the :class:`RedisServer`; ``sentinels`` is ``[("127.0.0.1", port)]`` as
    ``redis.sentinel.Sentinel`` takes it; ``service_name`` is ``"mymaster"``.
    """

    host = HOST
    service_name = "mymaster"

    def __init__(self, master: RedisServer, process: _Process, port: int) -> None:
        self.master = master
        self._process = process
        self.port = port

    @property
    def sentinels(self) -> List[Tuple[str, int]]:
        return [(self.host, self.port)]

    def master_client(self, **kwargs):
        """``Sentinel(sentinels).master_for("mymaster")`` (imports redis-py)."""
        from redis.sentinel import Sentinel
        return Sentinel(self.sentinels, socket_timeout=5).master_for(self.service_name, **kwargs)

    def stop(self) -> None:
        self._process.stop()
        self.master.stop()

    def __repr__(self) -> str:
        return f"RedisSentinel(sentinel={self.host}:{self.port}, master={self.master.url})"


def start_sentinel(base_dir: Optional[str] = None) -> RedisSentinel:
    """Start a master and one sentinel that knows it; wait until the sentinel names it."""
    master = start_redis(base_dir)
    workdir = _workdir(base_dir, "sentinel")
    try:
        last_error: Optional[Exception] = None
        for _ in range(3):
            port = free_port(exclude=[master.port])
            conf = os.path.join(workdir, f"sentinel-{port}.conf")
            with open(conf, "w") as fh:      # the sentinel rewrites this file: it must own it
                fh.write(f"port {port}\nbind {HOST}\nprotected-mode no\ndaemonize no\n"
                         f"dir {workdir}\n"
                         f"sentinel monitor mymaster {HOST} {master.port} 1\n"
                         f"sentinel down-after-milliseconds mymaster 5000\n"
                         f"sentinel failover-timeout mymaster 60000\n")
            process = _Process(f"sentinel-{port}", [_binary("redis-server"), conf, "--sentinel"],
                               workdir)
            process.start()
            expected = f"{master.port}".encode()
            try:
                process.wait_until(
                    lambda: expected in _redis_cmd(
                        port, "SENTINEL", "get-master-addr-by-name", "mymaster"),
                    "report the master")
                return RedisSentinel(master, process, port)
            except ServerUnavailable as exc:
                process.stop()
                last_error = exc
        raise ServerUnavailable(str(last_error))
    except BaseException:
        master.stop()
        raise


# -- redis cluster ----------------------------------------------------------------------------

class RedisClusterServers:
    """Three ``--cluster-enabled`` masters sharing the 16384 slots.

    ``nodes`` are the :class:`RedisServer` nodes; ``host``/``port`` name the first one
    (enough for ``redis.cluster.RedisCluster(host, port)`` to discover the others);
    ``startup_nodes`` is ``[(host, port), ...]``.
    """

    host = HOST

    def __init__(self, nodes: List[RedisServer]) -> None:
        self.nodes = nodes
        self.port = nodes[0].port

    @property
    def startup_nodes(self) -> List[Tuple[str, int]]:
        return [(n.host, n.port) for n in self.nodes]

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def client(self, **kwargs):
        """A ``redis.cluster.RedisCluster`` (imports redis-py)."""
        from redis.cluster import RedisCluster
        return RedisCluster(host=self.host, port=self.port, **kwargs)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def __repr__(self) -> str:
        return f"RedisClusterServers({', '.join(n.address for n in self.nodes)})"


def start_cluster(base_dir: Optional[str] = None, size: int = 3) -> RedisClusterServers:
    """Start ``size`` cluster-enabled masters, share the 16384 slots among them, introduce
    every node to every other (``CLUSTER MEET``, a full mesh: quicker to converge than
    ``redis-cli --cluster create``, which only introduces the first node) and wait until
    every node reports ``cluster_state:ok`` and knows all the others."""
    nodes: List[RedisServer] = []
    try:
        for i in range(size):
            workdir = _workdir(base_dir, f"cluster-node{i}")
            port = _free_port_pair()
            process, port = _start_redis_process(
                f"cluster-node{i}",
                ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                 "--cluster-node-timeout", "5000"], workdir, port=port)
            nodes.append(RedisServer(process, port))
        slots = 16384
        for i, node in enumerate(nodes):
            first, last = i * slots // size, (i + 1) * slots // size - 1
            reply = _redis_cmd(node.port, "CLUSTER", "ADDSLOTS",
                               *[str(n) for n in range(first, last + 1)])
            if not reply.startswith(b"+OK"):
                raise ServerUnavailable(f"CLUSTER ADDSLOTS failed on {node.address}: {reply!r}")
            _redis_cmd(node.port, "CLUSTER", "SET-CONFIG-EPOCH", str(i + 1))
        for node in nodes:
            for other in nodes:
                if other is not node:
                    reply = _redis_cmd(node.port, "CLUSTER", "MEET", other.host, str(other.port))
                    if not reply.startswith(b"+OK"):
                        raise ServerUnavailable(f"CLUSTER MEET failed on {node.address}: "
                                                f"{reply!r}")
        known = f"cluster_known_nodes:{size}".encode()

        def converged(node: RedisServer) -> bool:
            info = _redis_cmd(node.port, "CLUSTER", "INFO")
            return b"cluster_state:ok" in info and known in info

        for node in nodes:
            node._process.wait_until(lambda n=node: converged(n),
                                     "reach cluster_state:ok with every node known")
        return RedisClusterServers(nodes)
    except BaseException:
        for node in nodes:
            node.stop()
        raise
