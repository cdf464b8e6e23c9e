# Two commands on a fresh machine: `make run` and `make test`. Everything else is for developers.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PEER := .venv-peer
PEER_STAMP := $(PEER)/.installed

CHROMIUM := /usr/bin/chromium
BROWSER_TESTS := tests/browser

.PHONY: run test lint bench bench-peer peer-lock scenarios clean browser-deps install lock sbom mutation

# Every dependency comes from requirements.lock, pinned with its hashes (SECURITY-TESTS item 20): pip refuses
# anything whose hash differs. Our own package is then installed without touching the network for build tools.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# After changing a dependency in pyproject.toml: re-resolve and re-hash the lock (tests check the two agree).
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --extra dev --strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml

# A CycloneDX software bill of materials of the installed environment.
sbom: $(STAMP)
	$(BIN)/cyclonedx-py environment --output-format JSON --output-file sbom.cdx.json $(BIN)/python
	@echo "wrote sbom.cdx.json"

install: $(STAMP)

# The workspace stores nothing without a master key (docs/operations.md). For a local try-out only, `make run`
# makes a development key in var/ when none is set; a real deployment sets its own and never uses this one.
DEV_MASTER_KEY := var/dev-master.key
RUN_KEY := $(if $(PASSAGE_MASTER_KEY)$(PASSAGE_MASTER_KEY_FILE),,PASSAGE_MASTER_KEY_FILE=$(DEV_MASTER_KEY))

run: $(STAMP)
	@if [ -n "$(RUN_KEY)" ] && [ ! -f $(DEV_MASTER_KEY) ]; then mkdir -p var && (umask 077 && \
		$(BIN)/python -c "from passage.crypto import MasterKey; print(MasterKey.new_base64())" > $(DEV_MASTER_KEY)) && \
		echo "make run: wrote a development master key to $(DEV_MASTER_KEY) (for trying Passage out, never for real data)"; fi
	$(RUN_KEY) $(BIN)/python -m passage.web migrate --verbosity 0
	@echo "Self-assessment: http://127.0.0.1:8000/  Workspace: http://127.0.0.1:8000/en/work/ (first account: $(RUN_KEY) .venv/bin/passage createadmin --organization NAME --username NAME)"
	$(RUN_KEY) $(BIN)/python -m passage.web runserver 127.0.0.1:8000

# What the PDF and tests/browser need besides Python: Debian's Chromium (never a downloaded browser), DejaVu fonts,
# poppler-utils (pdftotext and pdffonts read the PDFs back in the tests), and axe-core from npm at the version pinned in tests/browser/package-lock.json. Installs only what is missing.
browser-deps:
	@pkgs=""; \
	test -x $(CHROMIUM) || pkgs="chromium chromium-driver"; \
	test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || pkgs="$$pkgs fonts-dejavu-core"; \
	command -v pdftotext >/dev/null && command -v pdffonts >/dev/null || pkgs="$$pkgs poppler-utils"; \
	if [ ! -d $(BROWSER_TESTS)/node_modules/axe-core ] && ! command -v npm >/dev/null; then pkgs="$$pkgs npm"; fi; \
	if [ -n "$$pkgs" ]; then \
		echo "apt-get install $$pkgs"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkgs >/dev/null; \
	fi
	@test -d $(BROWSER_TESTS)/node_modules/axe-core || \
		npm ci --prefix $(BROWSER_TESTS) --no-audit --no-fund --loglevel=error

# --dist loadgroup: the browser tests (xdist_group "browser") share one server and one Chromium on one worker.
# The workspace tests then run a second time on the PostgreSQL server at 127.0.0.1:5432 (a fresh database per worker),
# measuring branch coverage of auth (sessions included) and authz: anything under 100% fails (SECURITY-TESTS item 31).
test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup -p no:cacheprovider
	PASSAGE_TEST_POSTGRES=1 $(BIN)/python -m pytest -q -n 2 -p no:cacheprovider tests/web/workspace \
		--cov=passage.auth --cov=passage.authz --cov-branch --cov-fail-under=100 --cov-report=term-missing:skip-covered
	$(BIN)/passage test

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/bandit --quiet --recursive --severity-level medium --exclude '*/migrations/*' src

bench: $(STAMP) $(PEER_STAMP)
	$(BIN)/python bench/run.py --peer $(PEER)/bin/python

# The peer issue 2 compares with (OpenFisca), measured on this machine by `make bench` too, in a virtual
# environment of its own: it is never a dependency of Passage.
$(PEER_STAMP): bench/peer-requirements.txt
	test -x $(PEER)/bin/python || $(PY) -m venv $(PEER) || python3 -m venv $(PEER)
	$(PEER)/bin/python -m pip install --quiet --require-hashes --no-deps -r bench/peer-requirements.txt
	touch $(PEER_STAMP)

# After changing the peer's version in bench/peer-requirements.in: re-resolve and re-hash its lock.
peer-lock: $(STAMP)
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links -o bench/peer-requirements.txt bench/peer-requirements.in

bench-peer: $(PEER_STAMP)
	$(PEER)/bin/python bench/peer_openfisca.py

clean:
	rm -rf $(VENV) $(PEER) .pytest_cache .mypy_cache .ruff_cache

# Mutation testing of src/passage/crypto (SECURITY-TESTS item 32), nightly: about 700 mutants, ten minutes or more.
# Configuration in pyproject.toml [tool.mutmut]; every surviving mutant is either killed by a test or recorded as equivalent
# in docs/mutation-testing.md. `$(BIN)/mutmut show NAME` shows one mutant; rm -rf mutants/ for a fresh run.
mutation: $(STAMP)
	$(BIN)/mutmut run
	$(BIN)/mutmut results
