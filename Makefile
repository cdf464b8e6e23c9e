# Two commands on a fresh machine: `make run` and `make test`. Everything else is for developers.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium
BROWSER_TESTS := tests/browser

.PHONY: run test lint bench scenarios clean browser-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m passage.web migrate --verbosity 0
	$(BIN)/python -m passage.web runserver 127.0.0.1:8000

# What the PDF and tests/browser need besides Python: Debian's Chromium (never a downloaded browser), DejaVu fonts, and
# axe-core from npm at the version pinned in tests/browser/package-lock.json. Installs only what is missing.
browser-deps:
	@pkgs=""; \
	test -x $(CHROMIUM) || pkgs="chromium chromium-driver"; \
	test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || pkgs="$$pkgs fonts-dejavu-core"; \
	if [ ! -d $(BROWSER_TESTS)/node_modules/axe-core ] && ! command -v npm >/dev/null; then pkgs="$$pkgs npm"; fi; \
	if [ -n "$$pkgs" ]; then \
		echo "apt-get install $$pkgs"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkgs >/dev/null; \
	fi
	@test -d $(BROWSER_TESTS)/node_modules/axe-core || \
		npm ci --prefix $(BROWSER_TESTS) --no-audit --no-fund --loglevel=error

# --dist loadgroup: the browser tests (xdist_group "browser") share one server and one Chromium on one worker.
test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup -p no:cacheprovider
	$(BIN)/passage test

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
