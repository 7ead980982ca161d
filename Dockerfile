# syntax=docker/dockerfile:1
# Kei Community: one image for every role (web, worker-images, worker-notifications, beat, migrate).
# Build: docker build -t kei-community .      Run: see compose.yaml and docs/deploy.md.

# --- build: a virtualenv with the pinned requirements, and the static files collected -------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /venv
WORKDIR /app
COPY requirements.txt ./
RUN /venv/bin/pip install -r requirements.txt
COPY . .
# Production settings need these to import; nothing is connected to while collecting.
RUN DJANGO_ENV=production DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid/build REDIS_URL=redis://build.invalid:6379/0 \
    /venv/bin/python manage.py collectstatic --noinput -v0 \
 && rm -rf var/db.sqlite3 var/media var/private tests bench .ci .git

# --- runtime: no compilers, no root --------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/venv/bin:$PATH VENV_BIN=/venv/bin \
    DJANGO_ENV=production BIND=0.0.0.0 PORT=8000 WEB_CONCURRENCY=3
RUN groupadd --system --gid 10001 kei && useradd --system --uid 10001 --gid kei --home-dir /app kei
COPY --from=build /venv /venv
COPY --from=build --chown=kei:kei /app /app
WORKDIR /app
USER kei:kei
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "kei_community.core.healthcheck"]
# The web role; compose.yaml gives the other roles their own command.
CMD ["sh", "-c", "exec gunicorn kei_community.wsgi:application --config gunicorn.conf.py --bind ${BIND}:${PORT} --workers ${WEB_CONCURRENCY} --access-logfile -"]
