"""Run a command against a throwaway PostgreSQL cluster started from the server binaries.

    python tools/with_postgres.py -- pytest -q

Sets DATABASE_URL for the command, then stops the cluster and removes it. As root, the server runs
as the `postgres` system user (initdb refuses root).
"""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def _bin(name: str) -> str:
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"PostgreSQL server binary {name!r} not found: install the postgresql package.")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    args = sys.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    base = Path(tempfile.mkdtemp(prefix="carenav-pg-"))
    data = base / "data"
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.run(
        [*prefix, _bin("initdb"), "-D", str(data), "-U", "carenav", "-A", "trust", "-E", "UTF8"],
        check=True,
        **quiet,
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(
        [*prefix, _bin("pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-o", options, "-w", "start"],
        check=True,
        **quiet,
    )
    try:
        env = {**os.environ, "DATABASE_URL": f"postgres://carenav@127.0.0.1:{port}/postgres"}
        return subprocess.call(args, env=env)
    finally:
        subprocess.run([*prefix, _bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], **quiet)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
