"""Gunicorn settings for the Procfile's web process (`gunicorn -c gunicorn.conf.py ...`).

Gunicorn writes `Server: gunicorn` into every HTTP/1 response head itself, below the application,
and has no setting to turn it off: the response class is told to leave that one line out. The
application's own responses carry no Server header either (kei_community.core.middleware).
"""

from gunicorn.http import wsgi as _gunicorn_wsgi

_default_headers = _gunicorn_wsgi.Response.default_headers


def _default_headers_without_server(self):  # type: ignore[no-untyped-def]
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _default_headers_without_server  # type: ignore[method-assign]
