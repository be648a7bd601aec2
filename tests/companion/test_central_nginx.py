"""The nginx sample in deploy/ in front of a real central service: TLS ends at nginx, laptops send
events over HTTPS trusting IT's CA, the session cookie is Secure, and the sign-in throttle sees
the client's address as nginx saw it, never an address the client made up."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
import requests

from central_servers import running_central
from companion.audit import AuditStore
from companion.audit.sinks import Backoff, start_forwarding
from companion.config import REPO_ROOT, Settings
from sink_servers import free_port, make_tls_certs, new_database, postgres, record_sample_events, \
    wait_for_port  # noqa: F401 (fixture)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SAMPLE = REPO_ROOT / "deploy" / "templates" / "nginx-postguard-central.conf"
pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx missing (Debian package nginx)")


def nginx_config(tmp: Path, certs: dict, central_port: int, https_port: int, http_port: int) -> Path:
    """The sample as IT would edit it (certificate paths, ports), inside a minimal nginx.conf."""
    sample = SAMPLE.read_text()
    for old, new in (("127.0.0.1:7720", f"127.0.0.1:{central_port}"),
                     ("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
                     ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                     ("/etc/ssl/postguard/central.pem", str(certs["cert"])),
                     ("/etc/ssl/postguard/central.key", str(certs["key"]))):
        assert old in sample, old
        sample = sample.replace(old, new)
    (tmp / "central.conf").write_text(sample)
    temp = "".join(f"{name}_temp_path {tmp / name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = (("user root;\n" if os.geteuid() == 0 else "") + f"daemon off;\npid {tmp / 'nginx.pid'};\n"
            f"error_log {tmp / 'error.log'};\nworker_processes 1;\nevents {{}}\n"
            f"http {{\naccess_log off;\n{temp}include {tmp / 'central.conf'};\n}}\n")
    (tmp / "nginx.conf").write_text(main)
    return tmp / "nginx.conf"


@pytest.fixture(scope="module")
def behind_nginx(postgres, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx")
    certs = make_tls_certs(tmp / "certs")
    with running_central(new_database(postgres), tmp, env={"POSTGUARD_CENTRAL_SECURE_COOKIES": "true",
                                                           "POSTGUARD_CENTRAL_PROXY_HOPS": "1"}) as central:
        https_port, http_port = free_port(), free_port()
        config = nginx_config(tmp, certs, central.port, https_port, http_port)
        checked = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, checked.stderr
        proxy = subprocess.Popen([NGINX, "-c", str(config)], stderr=subprocess.PIPE)
        try:
            wait_for_port(https_port, 30)
            yield central, f"https://127.0.0.1:{https_port}", http_port, certs
        finally:
            proxy.terminate()
            proxy.wait(20)


def test_a_laptop_sends_its_events_over_https_to_the_service_behind_nginx(behind_nginx, tmp_path):
    central, url, _, certs = behind_nginx
    store = AuditStore.open(tmp_path / "laptop")
    events = record_sample_events(store, 6)
    settings = Settings(data_dir=store.db_path.parent, central_url=url, central_ca_file=certs["ca"],
                        central_enroll_code=central.enroll_code())
    forwarder = start_forwarding(settings, store, backoff=Backoff(0.05, 0.4), poll_s=0.5)
    try:
        assert forwarder.wait_until_delivered(60)
    finally:
        forwarder.stop()
        store.close()
    with psycopg.connect(central.db_url) as conn:
        ids = [r[0] for r in conn.execute("SELECT event_id FROM postguard_events ORDER BY seq").fetchall()]
    assert ids == [e["event_id"] for e in events]


def test_behind_nginx_the_cookie_is_secure_and_the_throttle_sees_the_real_address(behind_nginx):
    central, url, http_port, certs = behind_nginx
    central.account("rita")
    session, ca = requests.Session(), str(certs["ca"])  # verify= per request: REQUESTS_CA_BUNDLE beats session.verify
    form = session.get(f"{url}/signin", verify=ca, timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    bad = session.post(f"{url}/signin", data={"username": "rita", "password": "not it at all",
                                              "csrf_token": token}, headers={"X-Forwarded-For": "203.0.113.9"},
                       allow_redirects=False, verify=ca, timeout=30)
    assert bad.status_code == 401
    with psycopg.connect(central.db_url) as conn:
        keys = {r[0] for r in conn.execute("SELECT key FROM postguard_signin_throttle").fetchall()}
    assert "addr:127.0.0.1" in keys and not any("203.0.113.9" in k for k in keys), \
        "a client cannot pick the address it is throttled under"
    good = session.post(f"{url}/signin", data={"username": "rita", "password": "correct horse battery staple",
                                               "csrf_token": token}, allow_redirects=False, verify=ca, timeout=30)
    assert good.status_code == 303 and "Secure" in good.headers["Set-Cookie"]
    assert session.get(f"{url}/approvals", verify=ca, timeout=30).status_code == 200
    plain = requests.get(f"http://127.0.0.1:{http_port}/approvals", allow_redirects=False, timeout=30)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
