# Archipel — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 0.0.0.0
export DATABASE_URL ?= postgres://archipel:archipel@127.0.0.1:5432/archipel
export REDIS_URL ?= redis://127.0.0.1:6379/0
# The project refuses to start without a secret key: `make` generates one for this checkout
# once (var/ is never committed) and every command it runs reads it. Production sets its own.
export SECRET_KEY_FILE ?= $(CURDIR)/var/secret_key

.PHONY: run test cluster cluster-stop cluster-clean test-cluster system venv assets dbrole secret bench bench-db bench-capacity bench-pages bench-lighthouse lint messages clean

run: system venv assets dbrole secret ## set up everything and serve the demo archipel (HTTP + websockets + worker)
	$(PY) manage.py setup_archipel --port $(PORT)
	@scripts/serve.sh $(HOST) $(PORT)

test: system venv assets dbrole ## run every test against real PostgreSQL/PostGIS, Redis and chromium
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

# Past one machine (docs/operations.md): Patroni + etcd, HAProxy, Redis Sentinel, two app nodes,
# two Celery workers and beat, on loopback ports; the demo through HAProxy at :28000.
cluster: system venv assets secret ## start the production-like topology on this machine
	scripts/cluster.sh start

cluster-stop: ## stop every process of the cluster (its data stays in var/cluster)
	scripts/cluster.sh stop

cluster-clean: ## stop the cluster and remove its data
	scripts/cluster.sh clean

# The fault tests kill the leader, the Redis master, an app node; figures in bench/results/.
test-cluster: cluster ## the fault tests on the cluster (each wait bounded, the run capped at 15 min)
	timeout 900 $(PY) -m pytest tests/cluster --confcutdir=tests/cluster -p no:django -q -s $(PYTEST_ARGS); \
	  status=$$?; scripts/cluster.sh stop; exit $$status

system:
	@WITH_BROWSER=$(if $(filter test,$(MAKECMDGOALS)),1,0) scripts/setup-system.sh

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

assets: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

dbrole:
	@scripts/setup-db.sh

secret: $(SECRET_KEY_FILE)
$(SECRET_KEY_FILE):
	@mkdir -p $(@D)
	@(umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@.tmp) && mv $@.tmp $@
	@echo "Generated a secret key for this checkout in $@."

BENCH_DATABASE_URL ?= postgres://archipel:archipel@127.0.0.1:5432/archipel_bench
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) GRAPH_DIR=var/bench-graphs
# The regions searched: road-like at 200k and 1M nodes (scipy's reference on a seeded subset of
# the searches at 1M), then the 200k-node grid of the earlier rounds.
ROAD_200K = $(BENCH_ENV) BENCH_REGION=road BENCH_NODES=200000
ROAD_1M = $(BENCH_ENV) BENCH_REGION=road BENCH_NODES=1000000
bench: bench-db ## benchmarks on their own database; results in bench/results/
	$(PY) bench/elapsed.py start
	$(ROAD_200K) $(PY) bench/matching.py
	$(ROAD_200K) $(PY) bench/solidarity.py
	$(ROAD_200K) $(PY) bench/federation.py
	$(ROAD_1M) BENCH_SIZES=10000,100000,300000 BENCH_REFERENCE_SEARCHES=100 $(PY) bench/matching.py
	$(ROAD_1M) BENCH_REFERENCE_SEARCHES=30 $(PY) bench/solidarity.py
	$(ROAD_1M) $(PY) bench/federation.py
	$(BENCH_ENV) $(PY) bench/matching.py
	$(BENCH_ENV) $(PY) bench/solidarity.py
	$(BENCH_ENV) $(PY) bench/federation.py
	$(BENCH_ENV) $(PY) bench/observatory.py
	$(BENCH_ENV) $(PY) bench/incentives.py
	$(BENCH_ENV) $(PY) bench/places.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/realtime.py
	$(MAKE) --no-print-directory bench-pages bench-lighthouse bench-capacity
	$(PY) bench/elapsed.py stop

# One, two and three app nodes of the cluster under the same load (the cluster is stopped after).
bench-capacity: venv secret ## throughput and latency over 1, 2, 3 app nodes (make cluster's)
	APP_NODES=3 scripts/cluster.sh start
	$(PY) bench/capacity.py; status=$$?; scripts/cluster.sh stop; exit $$status

bench-db: venv dbrole secret
	DATABASE_URL=$(BENCH_DATABASE_URL) scripts/setup-db.sh
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate_schemas -v 0

# The demo's pages (bench/demo_site.py): server time per page, then Lighthouse in chromium.
# GRAPH_DIR absolute: tilemaker, which builds the demo's map tiles, runs in a folder of its own.
bench-pages: bench-db ## server time and queries of every page of the demo
	DATABASE_URL=$(BENCH_DATABASE_URL) GRAPH_DIR=$(CURDIR)/var/bench-graphs $(PY) bench/pages.py

bench-lighthouse: bench-db assets ## Lighthouse (mobile) on the demo's main pages
	@WITH_BROWSER=1 scripts/setup-system.sh
	DATABASE_URL=$(BENCH_DATABASE_URL) GRAPH_DIR=$(CURDIR)/var/bench-graphs $(PY) bench/lighthouse.py

lint: venv
	$(VENV)/bin/ruff check .

messages: venv secret ## refresh the French catalogue after changing texts
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var
