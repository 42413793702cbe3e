# bsd.jails: everything a fresh Debian machine (Python 3.11, root) needs, from two commands:
#   make demo   converge the example fleet on simulated FreeBSD hosts
#   make test   every check: lint, sanity, unit, simulator, FreeBSD's own tests, integration, molecule
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
COLL_ROOT := $(CURDIR)/.collections
COLL := $(COLL_ROOT)/ansible_collections/bsd/jails
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLL_ROOT)
export SIMHOST_DIR ?= $(CURDIR)/.simhosts
export SIMHOST := $(CURDIR)/tests/sim/simhost
STAMP := $(VENV)/.installed
DEB_PACKAGES := busybox-static xz-utils util-linux git atf-sh openssh-server openssh-client

.PHONY: help deps venv collection lint sanity units simulator conformance integration reliability molecule test demo bench bench-scale bench-jexec bench-smoke clean

help:
	@echo "make demo   - converge the example fleet on simulated FreeBSD hosts"
	@echo "make test   - ruff, yamllint, ansible-lint, ansible-test sanity, unit, simulator, conformance (FreeBSD's"
	@echo "              own tests on simulated hosts), integration, molecule"
	@echo "make bench  - benchmark the jails role against a per-jail loop baseline"
	@echo "make bench-scale - 1, 100, 1000 jails on one host and a fleet of 1, 5, 20 hosts (bench/scale.py)"
	@echo "make bench-jexec - ping and a copy play to 1, 10, 50 jails over SSH: bsd.jails.jexec vs ansible-jailexec"
	@echo "              vs SSH to the host (bench/jexec.py)"

# Debian packages the simulator uses (busybox-static is the jails' /bin/sh; atf-sh runs FreeBSD's
# own ATF tests in tests/conformance).  Checked again whenever this Makefile changes.
deps: $(VENV)/.debs
$(VENV)/.debs: Makefile
	@mkdir -p $(VENV)
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@touch $@

venv: $(STAMP) collection
$(STAMP): requirements-dev.txt | deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# ansible-core and ansible-test find the collection at .../ansible_collections/bsd/jails.
collection: $(COLL)
$(COLL):
	@mkdir -p $(dir $(COLL))
	@ln -sfn $(CURDIR) $(COLL)

test: venv
	@bash .ci/stages.sh

# Single stages of `make test`.
lint: venv
	@STAGES="ruff yamllint ansible-lint" bash .ci/stages.sh
sanity units simulator conformance integration reliability molecule: venv
	@STAGES="$@" bash .ci/stages.sh

bench: venv
	python bench/run.py
bench-smoke: venv
	python bench/run.py --smoke
bench-scale: venv
	python bench/scale.py
bench-jexec: venv
	python bench/jexec.py

demo: venv
	@bash playbooks/demo.sh

clean:
	-$(SIMHOST) destroy --all
	rm -rf $(VENV) $(COLL_ROOT) tests/output .cache
