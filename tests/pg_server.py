"""A throwaway PostgreSQL server for the test session, started from the installed binaries.

The server runs in a temporary directory on a free loopback port with fsync off (speed;
its data is discarded). PostgreSQL refuses to run as root, so under root (as in CI) the
server runs as the `postgres` system user that the Debian package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _bindir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if candidates:
        return Path(candidates[-1]).parent
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (pg_ctl) found; `.ci/test` installs them, "
        "or run `apt-get install postgresql`"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        self.bindir = _bindir()
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="funnel-pg-"))
        self.data = self.root / "data"
        self.run_as: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresUnavailable(
                    "running as root and there is no 'postgres' user"
                ) from exc
            self.run_as = "postgres"
            shutil.chown(self.root, user="postgres")
            os.chmod(self.root, 0o755)

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{' '.join(args[:1])} failed: {result.stderr or result.stdout}"
            )

    def start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "funnel",
            "-E",
            "UTF8",
            "--locale",
            "C.UTF-8" if _has_c_utf8() else "C",
        )
        self.resume()

    def resume(self) -> None:
        """Start the server on its data folder (again, after pause)."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=50"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise PostgresUnavailable("PostgreSQL did not start listening")

    def pause(self) -> None:
        """Stop the server as a crash or a restart would, keeping its data: what was
        committed survives, as on a real server. (This one runs with
        synchronous_commit=off for speed, so the last commits may still be in its
        memory: a checkpoint writes them first, else a schema made a moment ago was
        lost in the crash and the app met a database without its tables.)"""
        import psycopg2

        with contextlib.suppress(psycopg2.Error):
            conn = psycopg2.connect(
                host="127.0.0.1", port=self.port, user="funnel", dbname="postgres"
            )
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("CHECKPOINT")
            conn.close()
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def create_database(self, name: str) -> str:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="funnel", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql://funnel@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        with contextlib.suppress(PostgresUnavailable):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def _has_c_utf8() -> bool:
    result = subprocess.run(["locale", "-a"], capture_output=True, text=True)
    return any(line.lower() in ("c.utf8", "c.utf-8") for line in result.stdout.splitlines())
