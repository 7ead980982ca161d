"""`python -m kei_community.core.healthcheck`: exit 0 when this node's /healthz answers 200.

Used by the container image's HEALTHCHECK. It asks http://127.0.0.1:$PORT/healthz with the first host of
DJANGO_ALLOWED_HOSTS (the app refuses unknown hosts) and needs no Django set-up, so it is cheap.
"""

from __future__ import annotations

import http.client
import os
import sys


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    host = (os.environ.get("DJANGO_ALLOWED_HOSTS", "") or "localhost").split(",")[0].strip().lstrip(".")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/healthz", headers={"Host": host or "localhost"})
        status = conn.getresponse().status
    except OSError as exc:
        print(f"healthz unreachable: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    if status != 200:
        print(f"healthz answered {status}", file=sys.stderr)
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
