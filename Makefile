# The two commands for a newcomer: `make run` and `make test`. Each sets itself up first.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test bench system-deps setup clean

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: system-deps $(STAMP)
	@$(PY) scripts/fetch_sample_faces.py >/dev/null   # photographs of faces for the simulated camera and tests

run: setup
	$(PY) run_kiosk.py $(if $(CONFIG),--config $(CONFIG)) $(if $(WINDOWED),--windowed)

test: setup
	bash scripts/with-test-services.sh $(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: setup
	bash scripts/with-test-services.sh $(PY) -m bench

clean:
	rm -rf $(VENV) var tests/artifacts
