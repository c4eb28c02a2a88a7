# The two commands: `make demo` (train the seed's MLP GAN on the shipped digits) and
# `make test`. Both set up .venv first if it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EPOCHS ?= 20
RUNS ?= runs

BENCH_MARGIN ?= 15
BENCH_ARGS ?=

.PHONY: setup demo test bench bench-check lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml plugins/example/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' -e plugins/example
	touch $(STAMP)

demo: $(STAMP)
	@run=mlp-gan-demo-$$(date +%Y%m%d-%H%M%S); \
	echo "Training the seed's MLP GAN on mnist-5k for $(EPOCHS) epochs: run $$run in $(RUNS)/$$run"; \
	echo "(until the dashboard opens, watch it with: ls $(RUNS)/$$run/samples, or $(BIN)/ganzoo runs)"; \
	$(BIN)/ganzoo train --model mlp-gan --dataset mnist-5k --epochs $(EPOCHS) --runs-dir $(RUNS) --name $$run && \
	echo "Done: $(RUNS)/$$run. Opening the dashboard (Ctrl-C stops it):" && \
	$(BIN)/ganzoo dashboard $(RUNS) --run $$run

test: $(STAMP)
	$(BIN)/python -m pytest -q
	# The benchmark suite once, untimed, so that it cannot rot; timing is `make bench`.
	$(BIN)/python -m pytest -q benchmarks --benchmark-disable -p no:cacheprovider

# Save a baseline (per machine, under .benchmarks/), e.g. on main before a change.
bench: $(STAMP)
	$(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-autosave \
		--benchmark-columns=min,median,max,iqr,rounds --benchmark-sort=name $(BENCH_ARGS)

# Compare with the latest saved baseline; fail when a median is more than BENCH_MARGIN% slower.
bench-check: $(STAMP)
	$(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-compare \
		--benchmark-compare-fail=median:$(BENCH_MARGIN)% \
		--benchmark-columns=min,median,max,iqr,rounds --benchmark-sort=name $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .benchmarks
