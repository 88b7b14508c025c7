# sanzhua — everything a newcomer needs starts from `make demo` or `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
AS_OF  ?= 2026-11-25
STAMP  := $(VENV)/.installed

.PHONY: demo test viewers lint typecheck bench render clean dist

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: check, status and this week's bulletin of the bundled ledger
demo: $(STAMP)
	@echo "== sanzhua check --as-of $(AS_OF)"
	-$(BIN)/sanzhua check --as-of $(AS_OF)
	@echo
	@echo "== sanzhua status --as-of $(AS_OF)"
	$(BIN)/sanzhua status --as-of $(AS_OF)
	@echo
	@echo "== sanzhua brief --week --as-of $(AS_OF)"
	$(BIN)/sanzhua brief --week --as-of $(AS_OF)
	@mkdir -p out
	$(BIN)/sanzhua brief --week --as-of $(AS_OF) --format docx -o out/政务督查.docx
	@echo "Word bulletin written to out/政务督查.docx"

## test: the whole suite, plus ruff, mypy --strict on src/ and the layers (lint-imports,
## the contract in pyproject.toml; docs/ARCHITECTURE.md draws it)
test: $(STAMP) viewers
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports
	$(BIN)/pytest

## viewers: LibreOffice (Writer and Calc), poppler, CJK fonts and Chromium for the tests that
## print the Word bulletin to PDF, open the exported workbook and the site; installed with apt-get when
## missing and run as root, else those tests skip (a failed install only says so)
## chromium: the browser the site tests drive through Playwright (never `playwright install`)
VIEWER_PKGS := libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-noto-cjk fonts-arphic-ukai chromium
viewers:
	@if command -v soffice >/dev/null && command -v pdftotext >/dev/null && command -v chromium >/dev/null \
	    && ls "$$(dirname "$$(readlink -f "$$(command -v soffice)")")"/libsclo.so >/dev/null 2>&1 \
	    && command -v fc-list >/dev/null && fc-list :lang=zh family | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "== apt-get install $(VIEWER_PKGS) (for the PDF and workbook tests)"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq $(VIEWER_PKGS) >/dev/null; } \
	    || echo "could not install them: the PDF and workbook tests will be skipped"; \
	else echo "LibreOffice missing: the PDF and workbook tests will be skipped (Debian: $(VIEWER_PKGS))"; fi

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports

## bench: timings as ratios to a bare CSafeLoader load of the same files
bench: $(STAMP)
	$(BIN)/python bench/run.py

dist: $(STAMP)
	$(BIN)/python -m build --wheel --outdir dist

clean:
	rm -rf $(VENV) dist build out .sanzhua .pytest_cache .mypy_cache .ruff_cache
