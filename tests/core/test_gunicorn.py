"""The Procfile's web server, gunicorn with gunicorn.conf.py, sends no Server header (gunicorn's own
`Server: gunicorn` is written below the application, so only its config can drop it)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> http.client.HTTPResponse:
    deadline = time.monotonic() + 30
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            return response
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_the_procfile_uses_the_gunicorn_config():
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert "--config gunicorn.conf.py" in web


def test_gunicorn_with_the_project_config_sends_no_server_header():
    port = _free_port()
    env = {**os.environ, "DJANGO_ENV": "development", "DATABASE_URL": "", "REDIS_URL": "", "DJANGO_DEBUG": "false"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        + ["kei_community.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        response = _get(port, "/static/js/site.js")
        assert response.status == 200
        headers = {name.lower(): value for name, value in response.getheaders()}
        assert "server" not in headers, headers.get("server")
        assert headers["cross-origin-resource-policy"] == "same-origin"
        assert "date" in headers  # gunicorn's other default headers are still there
    finally:
        process.terminate()
        process.wait(timeout=30)
