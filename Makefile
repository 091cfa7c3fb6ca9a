# The two commands: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
export CRM_CONFIG ?= development

.PHONY: run test setup install lint format messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Compiled catalogs are not committed: every setup builds them from the .po files.
CATALOGS := $(wildcard crm/translations/*/LC_MESSAGES/messages.po)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

install: $(VENV)/.installed $(CATALOGS:.po=.mo)

## Migrate the embedded database and load the demo office once.
setup: install
	$(FLASK) crm setup

run: setup
	$(FLASK) run --host 127.0.0.1 --port 5000

CHROMIUM := /usr/bin/chromium

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Browser tests (tests/e2e) are skipped: $(CHROMIUM) is not installed (apt-get install chromium)."; \
	elif [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "Browser tests (tests/e2e) are skipped on TEST_DATABASE_URL: they run on their own SQLite database."; \
	fi
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Extract every marked string into the catalog template and update the catalogs.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs '.*' -o crm/translations/messages.pot .
	$(BIN)/pybabel update -i crm/translations/messages.pot -d crm/translations
	$(BIN)/pybabel compile -d crm/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
