"""A private three-master Redis Cluster on loopback ports, for the duration of a test module."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from tests._redis_server import REDIS_SERVER, reachable, wait_until

REDIS_CLI = shutil.which("redis-cli")
#: Redis Cluster talks node to node on the client port + 10000.
BUS_OFFSET = 10000


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def cluster_ports(count: int) -> list[int]:
    """Free ports whose cluster bus ports (+10000) are free too."""
    ports: list[int] = []
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        start = 20000 + probe.getsockname()[1] % 20000  # spread runs over the range
    port = start
    while len(ports) < count:
        if _bindable(port) and _bindable(port + BUS_OFFSET):
            ports.append(port)
        port += 1
    return ports


def _cluster_ok(port: int) -> bool:
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
    try:
        info = client.execute_command("CLUSTER INFO")  # type: ignore[no-untyped-call]
        return isinstance(info, dict) and info.get("cluster_state") == "ok"
    except redis.RedisError:
        return False
    finally:
        client.close()


@contextmanager
def redis_cluster(
    directory: Path, masters: int = 3, server: str | None = None
) -> Iterator[list[int]]:
    """Start ``masters`` cluster nodes, join them into one cluster, yield their ports.

    ``server`` is the nodes' program (default redis-server; valkey-server speaks the same
    cluster protocol, and redis-cli joins its nodes). Skips the test when redis-server
    or redis-cli is not installed.
    """
    server = server or REDIS_SERVER
    if server is None or REDIS_CLI is None:
        pytest.skip(
            "redis-server and redis-cli are needed for the Redis Cluster tests; install "
            "them (apt-get install redis-server)"
        )
    ports = cluster_ports(masters)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for port in ports:
            node = directory / str(port)
            node.mkdir()
            processes.append(
                subprocess.Popen(
                    [
                        server,
                        "--port", str(port),
                        "--bind", "127.0.0.1",
                        "--cluster-enabled", "yes",
                        "--cluster-config-file", str(node / "nodes.conf"),
                        "--cluster-node-timeout", "5000",
                        "--dir", str(node),
                        "--save", "",
                        "--appendonly", "no",
                        "--logfile", str(node / "redis.log"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )  # fmt: skip
        for port in ports:
            wait_until(lambda p=port: reachable(f"redis://127.0.0.1:{p}/0"), f"node {port}")
        subprocess.run(
            [
                REDIS_CLI,
                "--cluster", "create",
                *(f"127.0.0.1:{port}" for port in ports),
                "--cluster-replicas", "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
        for port in ports:
            wait_until(lambda p=port: _cluster_ok(p), f"cluster state ok on {port}", timeout=30)
        yield ports
    finally:
        for process in processes:
            process.kill()
        for process in processes:
            process.wait(timeout=10)
