"""Demo databases for the benches, built once and kept between runs.

A 1,000,000-lead demo takes minutes to write (about 2.5 on SQLite, more on PostgreSQL);
every bench that measures at that size would otherwise write its own. Each demo is
kept under FUNNEL_BENCH_CACHE (default ~/.cache/funnel-bench), named by its size, seed
and a digest of the code that decides what it holds (the demo, the storage layer, the
default config): a change there builds it anew, so a figure is never taken on a
database the current code would not have made. Older ones are left for the reader to
delete: benches in several worktrees (several versions of the code) share the cache.

- `sqlite_demo(leads)`: the kept file; `sqlite_copy(leads, folder)` a copy to write on.
- `postgres_demo(leads, name)`: a new database on a kept PostgreSQL server, copied from
  a kept template database in seconds. The server's data folder is kept too:
  /var/tmp/funnel-bench-postgres under root, whose home `postgres` cannot enter.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("FUNNEL_BENCH_CACHE", Path.home() / ".cache" / "funnel-bench"))
USER = "bench"
# What decides a demo database's content and shape.
_SOURCES = ("funnel_tui/demo", "funnel_tui/storage", "funnel_tui/config/default_config.toml")


def code_digest() -> str:
    digest = hashlib.sha256()
    for entry in _SOURCES:
        path = ROOT / entry
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def _name(leads: int, seed: int) -> str:
    return f"demo-{leads}-s{seed}-{code_digest()}"


def sqlite_demo(leads: int, seed: int = 1) -> Path:
    """The kept demo file of `leads` leads (built now if there is none): do not write
    to it; take `sqlite_copy` for that."""
    target = CACHE / f"{_name(leads, seed)}.db"
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with _only_one_builder(target.stem):
        if not target.exists():  # another bench built it while this one waited
            _build_sqlite(target, leads, seed)
    return target


@contextlib.contextmanager
def _only_one_builder(name: str):
    """Benches run side by side (in several worktrees) share the cache: one builds
    each demo, the others wait for it."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build_sqlite(target: Path, leads: int, seed: int) -> None:
    building = target.with_suffix(".building")
    for leftover in CACHE.glob(building.name + "*"):
        leftover.unlink()
    _generate(str(building), leads, seed)
    building.rename(target)


def sqlite_copy(leads: int, folder: str | Path, seed: int = 1) -> str:
    """A copy of the kept demo in `folder`, to measure writes on."""
    source = sqlite_demo(leads, seed)
    copy = Path(folder) / f"demo-{leads}.db"
    shutil.copyfile(source, copy)
    # On disk before it is measured: SQLite's first checkpoint on the copy fsyncs the file,
    # which would wait for the copy's own gigabytes still in the page cache (an import
    # into the 1M demo's fresh copy took twice as long as into one already written out).
    fd = os.open(copy, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return str(copy)


def _generate(target: str, leads: int, seed: int) -> None:
    from funnel_tui.config import load_config
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.storage.database import close_database, open_database

    start = time.perf_counter()
    print(f"  building the {leads:,}-lead demo for the benches …", file=sys.stderr, flush=True)
    generate_demo(open_database(target, create=True), load_config(), leads=leads, seed=seed,
                  user=USER)  # fmt: skip
    close_database()  # checkpoints the WAL into the file, so a plain copy is whole
    print(f"  built in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)


# ------------------------------------------------------------------- PostgreSQL


class _KeptServer:
    """The tests' throwaway server, with its data folder kept under CACHE."""

    def __init__(self) -> None:
        sys.path.insert(0, str(ROOT))
        from tests.pg_server import PostgresServer

        class Kept(PostgresServer):
            def __init__(self, root: Path) -> None:
                super().__init__()
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = root
                self.data = root / "data"
                root.mkdir(parents=True, exist_ok=True)
                if self.run_as:
                    shutil.chown(root, user=self.run_as)
                    os.chmod(root, 0o755)

        self.server = Kept(_root())
        if (self.server.data / "PG_VERSION").exists():
            self.server.resume()
        else:
            self.server.start()

    def execute(self, sql: str) -> list[tuple]:
        return _execute(self.server.port, sql)

    def stop(self) -> None:
        self.server._run("pg_ctl", "-D", str(self.server.data), "-m", "fast", "-w", "stop")


def _root() -> Path:
    # Under root the server runs as `postgres`, who may not enter root's home.
    return Path("/var/tmp/funnel-bench-postgres") if os.geteuid() == 0 else CACHE / "postgres"


def _execute(port: int, sql: str) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=port, user="funnel", dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


class _Borrowed:
    """The kept server when another bench started it: used as it is, and left running
    at the end (starting it again on the same folder would fail, and stopping it at exit
    would pull it from under the other bench)."""

    def __init__(self, port: int) -> None:
        self.server = self
        self.port = port

    def url(self, name: str) -> str:
        return f"postgresql://funnel@127.0.0.1:{self.port}/{name}"

    def execute(self, sql: str) -> list[tuple]:
        return _execute(self.port, sql)

    def stop(self) -> None:
        pass  # the other bench's to stop


def _running_port() -> int | None:
    """The port of the kept server if a process of another bench runs it."""
    try:
        lines = (_root() / "data" / "postmaster.pid").read_text().splitlines()
        os.kill(int(lines[0]), 0)
        return int(lines[3])
    except (OSError, ValueError, IndexError):
        return None


_server: _KeptServer | _Borrowed | None = None


def postgres_server() -> _KeptServer | _Borrowed:
    """The kept server: borrowed if another bench runs it, else started on first use and
    stopped at exit. Raises tests.pg_server.PostgresUnavailable without PostgreSQL's
    binaries."""
    global _server
    if _server is None:
        port = _running_port()
        if port is not None:
            _server = _Borrowed(port)
        else:
            import atexit

            _server = _KeptServer()
            atexit.register(_server.stop)
    return _server


def postgres_demo(leads: int, name: str, seed: int = 1) -> str:
    """The URL of a new database `name` holding the `leads`-lead demo (any database of
    that name is replaced), copied from a kept template."""
    server = postgres_server()
    template = _name(leads, seed).replace("-", "_")
    with _only_one_builder(template):
        _build_template(server, template, leads, seed)
    server.execute(f'DROP DATABASE IF EXISTS "{name}"')
    server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return server.server.url(name)


def _build_template(server: _KeptServer, template: str, leads: int, seed: int) -> None:
    found = {row[0] for row in server.execute("SELECT datname FROM pg_database")}
    if template not in found:
        building = f"{template}_building"
        server.execute(f'DROP DATABASE IF EXISTS "{building}"')
        server.execute(f'CREATE DATABASE "{building}"')
        _generate(server.server.url(building), leads, seed)
        server.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
