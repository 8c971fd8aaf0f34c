# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-fast test-postgres demo bench cluster lock clean

# pip's own progress (one line per package) instead of a silent minute on the first run.
# Installs come from the lock files only: every package, dependencies included, at one version
# with its hashes, so numpy and friends cannot drift (requirements*.txt are what people edit).
PIP_INSTALL := $(PY) -m pip install --progress-bar off --disable-pip-version-check --require-hashes

$(VENV)/.installed: requirements.lock
	@echo "==> Creating the virtual environment in $(VENV) (first run only)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> Installing the app's pinned packages (about a minute the first time)"
	$(PIP_INSTALL) -r requirements.lock
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	@echo "==> Installing the test packages"
	$(PIP_INSTALL) -r requirements-test.lock
	touch $@

## make run [PORT=8501]: install, create data/exchange.duckdb with demo data if missing, start the app
run: $(VENV)/.installed
	@echo "==> Preparing the database (demo data is created on the first run)"
	$(PY) -m exchange init
	@echo "==> Serving http://localhost:$(PORT)  (Ctrl+C to stop)"
	$(PY) -m streamlit run server.py --server.port $(PORT) --server.address localhost

## make test: install test requirements and run every test, browser tests included
test: $(VENV)/.installed-test
	@command -v chromium >/dev/null 2>&1 || { echo 'Browser tests need Chromium: run  sudo apt-get install chromium  (Debian) and try again.'; exit 1; }
	$(PY) -m pytest -n 2 --dist loadgroup -q --durations=25

## make test-fast: services and page tests (AppTest) only, for the inner loop; `make test` stays the full suite
test-fast: $(VENV)/.installed-test
	$(PY) -m pytest -n 2 -q --ignore=tests/browser
## make test-postgres: the service tests marked both_backends, on PostgreSQL only (issue 13; the run starts its own
## server). CI runs it as a job beside `make test TEST_BACKENDS=duckdb`, so the wall time does not double.
test-postgres: $(VENV)/.installed-test
	TEST_BACKENDS=postgres $(PY) -m pytest -n 2 -q -m both_backends --ignore=tests/browser

## make demo: reset the app's database to fresh demo data (refused while the app runs or if it holds real data; asks first; keeps a backup in data/backups/)
demo: $(VENV)/.installed
	$(PY) -m exchange demo --reset

## make bench: build the national-scale database and print p50/p95 figures
bench: $(VENV)/.installed
	$(PY) scripts/benchmark.py

## make cluster [REPLICAS=N]: PostgreSQL (a local one in var/cluster/, or EXCHANGE_DATABASE_URL), N app replicas
## (default one per core) and nginx on http://localhost:8080 with sticky sessions; Ctrl+C stops it all (docs/deploy/)
cluster: $(VENV)/.installed
	$(PY) scripts/cluster.py $(if $(REPLICAS),--replicas $(REPLICAS))

## make lock [LOCK_ARGS=--upgrade | LOCK_ARGS="--upgrade-package numpy"]: after editing requirements*.txt, re-pin
## everything into requirements*.lock with hashes (pins already in a lock stay unless LOCK_ARGS says to upgrade)
PIP_TOOLS := $(VENV)/pip-tools
PIP_COMPILE := $(PIP_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock:
	@test -x $(PIP_TOOLS)/bin/pip-compile || { $(PYTHON) -m venv $(PIP_TOOLS) && \
		$(PIP_TOOLS)/bin/pip install --progress-bar off --disable-pip-version-check pip-tools==7.6.2; }
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --output-file requirements-test.lock requirements-test.txt

clean:
	rm -rf $(VENV) data/exchange.duckdb data/exchange.duckdb.wal
