# The two commands: `make demo` (train the seed's MLP GAN on the shipped digits) and
# `make test`. Both set up .venv first if it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EPOCHS ?= 20
RUNS ?= runs

.PHONY: setup demo test lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml plugins/example/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' -e plugins/example
	touch $(STAMP)

demo: $(STAMP)
	@run=mlp-gan-demo-$$(date +%Y%m%d-%H%M%S); \
	echo "Training the seed's MLP GAN on mnist-5k for $(EPOCHS) epochs: run $$run in $(RUNS)/$$run"; \
	echo "(watch it: ls $(RUNS)/$$run/samples, or $(BIN)/ganzoo runs)"; \
	$(BIN)/ganzoo train --model mlp-gan --dataset mnist-5k --epochs $(EPOCHS) --runs-dir $(RUNS) --name $$run && \
	echo "Done: $(RUNS)/$$run (samples/progress.gif shows training; metrics/ holds the scalars)"

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .benchmarks
