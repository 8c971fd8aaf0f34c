# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test demo bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

## make run: install, create data/exchange.duckdb with demo data if missing, start the app
run: $(VENV)/.installed
	$(PY) -m exchange init
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.address localhost

## make test: install test requirements and run every test, browser tests included
test: $(VENV)/.installed-test
	@command -v chromium >/dev/null 2>&1 || { echo 'Browser tests need Chromium: run  sudo apt-get install chromium  (Debian) and try again.'; exit 1; }
	$(PY) -m pytest -n 2 --dist loadgroup -q

## make demo: reset the app's database to fresh demo data (refused while the app runs or if it holds real data; asks first; keeps a backup in data/backups/)
demo: $(VENV)/.installed
	$(PY) -m exchange demo --reset

## make bench: build the national-scale database and print p50/p95 figures
bench: $(VENV)/.installed
	$(PY) scripts/benchmark.py

clean:
	rm -rf $(VENV) data/exchange.duckdb data/exchange.duckdb.wal
