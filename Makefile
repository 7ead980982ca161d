# Kei Community. `make run` and `make test` work on a fresh clone with Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/kei_community
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test test-fast test-services test-browser lint serve worker worker-images worker-notifications beat migrate seed bench bench-images bench-marketplace bench-forum clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(BIN)/.installed

migrate: venv
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py seed_demo

## Serve the site at http://127.0.0.1:$(PORT) on SQLite with in-process tasks and demo content.
run: seed
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## The whole suite. Service and browser layers skip on a laptop without their servers; CI=true makes them fail.
test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: venv
	DATABASE_URL= REDIS_URL= $(BIN)/python -m pytest -m "not services and not browser" $(PYTEST_ARGS)

## The service layer against local PostgreSQL and Redis.
test-services: venv
	DATABASE_URL=$(PG_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/python -m pytest tests/services $(PYTEST_ARGS)

test-browser: venv
	$(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy kei_community marketplace forum stategide

## Production-like: gunicorn + Celery worker + beat (honcho) against PostgreSQL and Redis.
serve: venv
	@test -n "$$DATABASE_URL" || (echo "Set DATABASE_URL (PostgreSQL) and REDIS_URL for make serve" && exit 2)
	@test -n "$$REDIS_URL" || (echo "Set REDIS_URL for make serve" && exit 2)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/honcho start

## A worker for every queue (images, notifications, celery).
worker: venv
	$(BIN)/celery -A kei_community worker --loglevel=info

## Photo processing only, so a burst of uploads never delays email.
worker-images: venv
	$(BIN)/celery -A kei_community worker --loglevel=info -Q images -n images@%h

## Notifications and email, plus the light periodic jobs (queue "celery").
worker-notifications: venv
	$(BIN)/celery -A kei_community worker --loglevel=info -Q notifications,celery -n notifications@%h

## Safe to start on several machines: one holds the lock in Redis and sends the periodic jobs.
beat: venv
	$(BIN)/celery -A kei_community beat --loglevel=info

# BENCH_ARGS: e.g. `make bench-forum BENCH_ARGS="--sizes 1m"` (a million rows on PostgreSQL; docs/benchmarks.md).
bench: bench-images bench-marketplace bench-forum

bench-images: venv
	$(BIN)/python bench/bench_images.py

bench-marketplace: venv
	$(BIN)/python bench/bench_marketplace.py $(BENCH_ARGS)

bench-forum: venv
	$(BIN)/python bench/bench_forum.py $(BENCH_ARGS)

clean:
	rm -rf var/db.sqlite3 var/media var/private var/static
