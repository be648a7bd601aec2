"""Real collectors for the forwarding tests (rsyslog and PostgreSQL on loopback), and the
audit events those tests send.

Both run as separate processes from Debian's own binaries (packages `rsyslog`,
`rsyslog-gnutls`, `postgresql`), each with its own config in a temporary directory,
so the tests touch neither the machine's syslog nor its databases.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
GTLS_MODULE = "/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so"


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A loopback TCP port nobody listens on right now, and not one this process was given before:
    once the probe is closed the system may give the same port to the next call (two servers of one
    test, such as nginx's HTTP and HTTPS ports, would then share it)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def wait_for_port(port: int, timeout_s: float = 20.0) -> None:
    """Return once something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def wait_for(condition, timeout_s: float = 30.0) -> None:
    """Poll `condition()` until it holds; fail the test after `timeout_s` (a loaded machine is slow,
    so tests wait for what happens instead of sleeping a fixed time)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# --- rsyslog -----------------------------------------------------------------------------------

_FIELDS_TEMPLATE = """
template(name="fields" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="version" name="protocol-version" format="jsonf")
  property(outname="timestamp" name="timereported" dateformat="rfc3339" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="app_name" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
template(name="raw" type="string" string="%rawmsg%\\n")
"""


class Rsyslog:
    """One rsyslogd in the foreground (-n) with imtcp on a loopback port, writing two files:
    `fields.jsonl` (what rsyslog's RFC 5424 parser made of each message) and `raw.log`."""

    def __init__(self, workdir: Path, port: int | None = None, tls: dict | None = None):
        self.dir = Path(workdir)
        self.port = port or free_port()
        self.tls = tls
        self.fields_file = self.dir / "fields.jsonl"
        self.raw_file = self.dir / "raw.log"
        self.proc: subprocess.Popen | None = None
        (self.dir / "work").mkdir(parents=True, exist_ok=True)
        self.conf = self.dir / "rsyslog.conf"
        self.conf.write_text(self._config(), encoding="utf-8")

    def _config(self) -> str:
        glob_opts = f'workDirectory="{self.dir / "work"}" maxMessageSize="256k"'
        module = 'module(load="imtcp")'
        if self.tls:
            glob_opts += (f' DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="{self.tls["ca"]}"'
                          f' DefaultNetstreamDriverCertFile="{self.tls["cert"]}"'
                          f' DefaultNetstreamDriverKeyFile="{self.tls["key"]}"')
            # "x509/certvalid": the collector only takes clients showing a certificate its CA signed.
            auth = "x509/certvalid" if self.tls.get("require_client_cert") else "anon"
            module = f'module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="{auth}")'
        return (f"global({glob_opts})\n{module}\n"
                f'input(type="imtcp" port="{self.port}" address="127.0.0.1")\n'
                f"{_FIELDS_TEMPLATE}\n"
                f'action(type="omfile" file="{self.fields_file}" template="fields")\n'
                f'action(type="omfile" file="{self.raw_file}" template="raw")\n')

    def start(self) -> "Rsyslog":
        """Start and wait until it accepts connections."""
        check = subprocess.run([RSYSLOGD, "-N1", "-f", str(self.conf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen(
            [RSYSLOGD, "-n", "-f", str(self.conf), "-i", str(self.dir / "rsyslogd.pid")],
            stdout=subprocess.DEVNULL, stderr=open(self.dir / "rsyslogd.err", "ab"))
        wait_for_port(self.port)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it (SIGTERM lets it finish writing what it has read)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.proc = None

    def records(self) -> list[dict]:
        """Every message rsyslog wrote, as the fields its parser found."""
        if not self.fields_file.exists():
            return []
        text = self.fields_file.read_text(encoding="utf-8")
        complete = text[: text.rfind("\n") + 1]  # rsyslog may be halfway through a line
        return [json.loads(line) for line in complete.splitlines() if line.strip()]

    def raw_messages(self) -> list[bytes]:
        """Every message exactly as received (without framing)."""
        if not self.raw_file.exists():
            return []
        return [line for line in self.raw_file.read_bytes().split(b"\n") if line]


def parse_sd(text: str) -> dict[str, dict[str, str]]:
    """RFC 5424 STRUCTURED-DATA into {sd_id: {name: value}}, undoing \\" \\\\ \\] escapes."""
    elements: dict[str, dict[str, str]] = {}
    for sd_id, body in re.findall(r'\[(\S+)((?:\s+[^\s=\]]+="(?:[^"\\]|\\.)*")*)\]', text):
        params = re.findall(r'([^\s=\]]+)="((?:[^"\\]|\\.)*)"', body)
        elements[sd_id] = {name: re.sub(r'\\(["\\\]])', r"\1", value) for name, value in params}
    return elements


def make_tls_certs(directory: Path, host: str = "127.0.0.1") -> dict:
    """A throwaway CA, a server certificate for `host` and a laptop's client certificate (openssl CLI)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"),
        "-days", "2", "-subj", "/CN=Postguard test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / "server.key"), "-out", str(d / "server.csr"),
        "-subj", f"/CN={host}")
    (d / "ext.cnf").write_text(f"subjectAltName=IP:{host},DNS:localhost\n")
    run("x509", "-req", "-in", str(d / "server.csr"), "-CA", str(d / "ca.pem"), "-CAkey", str(d / "ca.key"),
        "-CAcreateserial", "-out", str(d / "server.pem"), "-days", "2", "-extfile", str(d / "ext.cnf"))
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / "client.key"), "-out", str(d / "client.csr"),
        "-subj", "/CN=laptop-0042.sales.example.com")
    (d / "client.cnf").write_text("extendedKeyUsage=clientAuth\n")
    run("x509", "-req", "-in", str(d / "client.csr"), "-CA", str(d / "ca.pem"), "-CAkey", str(d / "ca.key"),
        "-CAcreateserial", "-out", str(d / "client.pem"), "-days", "2", "-extfile", str(d / "client.cnf"))
    return {"ca": d / "ca.pem", "cert": d / "server.pem", "key": d / "server.key",
            "client_cert": d / "client.pem", "client_key": d / "client.key"}


# --- PostgreSQL --------------------------------------------------------------------------------

def postgres_bin_dir() -> Path | None:
    """Debian's newest /usr/lib/postgresql/N/bin holding initdb and pg_ctl, if installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None


class Postgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1 with password (SCRAM) authentication.

    The server refuses to run as root, so as root it runs as the `postgres` system user
    (made by Debian's package) in a directory that user owns.
    """

    PASSWORD = "pg-Secret-7731"

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.port = 0  # picked by start(), just before the server binds it
        self.dir = Path(tempfile.mkdtemp(prefix="postguard-pg-"))
        self.data = self.dir / "data"
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        cmd = list(args) if self.user is None else [runuser, "-u", self.user, "--", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    def start(self) -> "Postgres":
        """initdb, then start the server and wait until it accepts connections."""
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        (self.dir / "pw").write_text(self.PASSWORD)
        if self.user:
            os.chown(self.dir / "pw", pwd.getpwnam(self.user).pw_uid, -1)
        init = self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "scram-sha-256",
                         f"--pwfile={self.dir / 'pw'}", "-E", "UTF8", "--no-sync")
        assert init.returncode == 0, init.stderr
        # The port is picked after initdb (seconds), just before the server binds it; when another
        # program took it even so, the server cannot start, and it starts again on another.
        for _ in range(3):
            self.port = free_port()
            opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off")
            log = self.dir / f"server-{self.port}.log"
            started = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts,
                                "-l", str(log), "-w", "-t", "60", "start")
            if started.returncode == 0 or "could not bind" not in log.read_text(errors="replace"):
                break
        assert started.returncode == 0, started.stderr + started.stdout
        return self

    def url(self, dbname: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        return f"postgresql://{user}:{password or self.PASSWORD}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


# --- events ------------------------------------------------------------------------------------

SD_ID = "postguard@32473"
# Scan ids arrive from the extension; these exercise RFC 5424's escapes (" \\ ]) and UTF-8.
SCAN_IDS = ('scan-"quoted"', "scan\\back", "scan]bracket", "scan-plain", "scan-渠道")


def _result(kind: int):
    from companion.detection.types import Finding, ScanResult

    price = Finding(category="pricing", severity="warn", rule="pricing.unit_price", matched="USD 4.20/unit",
                    excerpt="quote at [pricing] FOB")
    secret = Finding(category="credentials", severity="block", rule="credentials.api_key",
                     matched="sk_live_51Habc", excerpt="key [credentials]")
    return [ScanResult("warn", [price]), ScanResult("block", [secret, price]), ScanResult("allow", [])][kind % 3]


def record_sample_events(store, count: int) -> list[dict]:
    """`count` events of every shape: warn/block/allow checks and decisions, odd scan ids."""
    events = []
    for i in range(count):
        scan_id = f"{SCAN_IDS[i % len(SCAN_IDS)]}-{i}"
        if i % 4 == 3:
            events.append(store.record_decision(
                scan_id=events[-1]["scan_id"], action="overridden" if i % 8 == 3 else "posted",
                justification='Client approved "as is" [ticket \\ 42] 好的', platform="linkedin"))
        else:
            events.append(store.record_check(scan_id=scan_id, platform=("linkedin", "facebook", "instagram")[i % 3],
                                             url_host="www.linkedin.com", result=_result(i), versions={"postguard": "t"}))
    return events


def sd_params(record: dict) -> dict[str, str]:
    """The postguard@32473 parameters of one rsyslog record."""
    return parse_sd(record["sd"])[SD_ID]


def delivered_seqs(records: list[dict]) -> list[int]:
    """The seq of every message rsyslog wrote, in file order."""
    return [int(sd_params(r)["seq"]) for r in records]


def _postgres_fixture():
    import pytest

    @pytest.fixture(scope="session")
    def postgres():
        """One PostgreSQL server for the session; each test makes its own database."""
        bin_dir = postgres_bin_dir()
        if bin_dir is None or not (bin_dir / "pg_ctl").exists():
            pytest.skip("PostgreSQL server binaries not found (Debian package postgresql: "
                        "/usr/lib/postgresql/<version>/bin/initdb and pg_ctl)")
        server = Postgres(bin_dir).start()
        yield server
        server.stop()

    return postgres


# Import this name into a test module to use the fixture there.
postgres = _postgres_fixture()
_database_counter = iter(range(1, 1_000_000))


def new_database(postgres_server) -> str:
    """A fresh database on the session's server; returns its URL."""
    return postgres_server.create_database(f"audit_{os.getpid()}_{next(_database_counter)}")
