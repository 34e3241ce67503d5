# medstore: `make run` starts the daemon, `make test` runs every test.
#
#   make build        debug build (swift build)
#   make run          build, then run .build/debug/medstored with its built-in defaults;
#                     extra flags via ARGS, e.g. make run ARGS="--state-dir /tmp/ms --log-level debug"
#   make test         swift-test, interop, then a short fuzz run (FUZZ_TEST_SECONDS per target,
#                     default 10); fails if any fails (all always run)
#   make swift-test   swift test
#   make interop      build, make .venv, verify the systemd units, pytest Tests/interop
#   make fuzz         libFuzzer + AddressSanitizer build of medstore-fuzz (scratch FUZZ_SCRATCH,
#                     default $(SCRATCH)-fuzz), then each target for FUZZ_SECONDS (default 60)
#   make install      release build; installs to $(DESTDIR)$(PREFIX) (PREFIX=/usr/local)
#   make deps         apt-get install the system packages that are missing (no-op when present)
#   make clean        remove build products and the venv
#
# SCRATCH moves SwiftPM's build directory (default .build), e.g. to build beside a tree someone
# else is building: make interop SCRATCH=/tmp/other-build

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

SWIFT ?= swift
PYTHON ?= python3
PREFIX ?= /usr/local
DESTDIR ?=
ARGS ?=
SCRATCH ?= .build

SWIFT_FLAGS := --scratch-path $(SCRATCH)
BIN_DIR := $(abspath $(SCRATCH))/debug
VENV := .venv
VENV_STAMP := $(VENV)/.requirements-installed
# The Azure CLI pins its own azure-* packages, so its smoke test gets a venv of its own.
AZ_VENV := .venv-az
AZ_STAMP := $(AZ_VENV)/.requirements-installed
AZ_REQUIREMENTS := Tests/interop/requirements-az.txt
REQUIREMENTS := Tests/interop/requirements.txt
APT_PACKAGES := libsqlite3-dev libssl-dev python3-venv systemd openssl curl
UNITS := systemd/medstored.service systemd/medstored.socket
SYSTEMD_DIR := $(PREFIX)/lib/systemd/system
SYSUSERS_DIR := $(PREFIX)/lib/sysusers.d
DOC_DIR := $(PREFIX)/share/doc/medstore
TMPFILES_DIR := $(PREFIX)/lib/tmpfiles.d
MAN_DIR := $(PREFIX)/share/man
COMPLETION_DIR := $(PREFIX)/share/bash-completion/completions

.PHONY: build run test swift-test interop verify-units venv az-venv install clean deps bench fuzz

# --- system packages -----------------------------------------------------------------------------
# Checked with dpkg first: nothing runs (no apt-get update either) when all are installed.
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# --- build and run -------------------------------------------------------------------------------
build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

run: build
	exec $(BIN_DIR)/medstored $(ARGS)

# --- tests ---------------------------------------------------------------------------------------
# Every part always runs, so one failure does not hide another; the target fails if any did.
test: deps
	@status=0; \
	$(MAKE) --no-print-directory swift-test || status=1; \
	$(MAKE) --no-print-directory interop || status=1; \
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_TEST_SECONDS) || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (see above)"; fi; \
	exit $$status

swift-test: deps
	$(SWIFT) test $(SWIFT_FLAGS)

# The interop suite drives the built binaries, so it builds first (a no-op when up to date).
interop: build venv az-venv verify-units
	MEDSTORE_BIN_DIR=$(BIN_DIR) MEDSTORE_AZ=$(abspath $(AZ_VENV))/bin/az $(VENV)/bin/python -m pytest -q Tests/interop

venv: $(VENV_STAMP)

az-venv: $(AZ_STAMP)

$(AZ_STAMP): $(AZ_REQUIREMENTS)
	test -x $(AZ_VENV)/bin/python || $(PYTHON) -m venv $(AZ_VENV)
	$(AZ_VENV)/bin/python -m pip install -q --disable-pip-version-check -r $(AZ_REQUIREMENTS)
	@touch $@

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV_STAMP): $(REQUIREMENTS) | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -r $(REQUIREMENTS)
	@touch $@

# `systemd-analyze verify` checks that ExecStart= names an existing executable, and the unit says
# /usr/local/bin/medstored, which a test machine does not have (installing there just to verify
# would touch the system). So we verify a COPY of the units in a temp dir, with only ExecStart=
# rewritten to the binary we just built; every other line is checked as written. The socket unit
# is verified beside it because it names medstored.service. systemd-analyze exits 0 on many
# parse problems (e.g. "Failed to parse protect system value, ignoring"), so ANY output fails
# the target. The sysusers file is checked with
# `systemd-sysusers --dry-run`, which parses it and writes nothing.
verify-units: build
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	sed 's|^ExecStart=/usr/local/bin/medstored|ExecStart=$(BIN_DIR)/medstored|' systemd/medstored.service > "$$tmp/medstored.service"; \
	cp systemd/medstored.socket "$$tmp/medstored.socket"; \
	mkdir -p "$$tmp/man/man1" "$$tmp/man/man8"; cp man/medctl.1 "$$tmp/man/man1/"; cp man/medstored.8 "$$tmp/man/man8/"; \
	grep -q '^ExecStart=$(BIN_DIR)/medstored$$' "$$tmp/medstored.service"; \
	out=$$(MANPATH="$$tmp/man" systemd-analyze verify "$$tmp/medstored.service" "$$tmp/medstored.socket" 2>&1) || { echo "$$out"; exit 1; }; \
	if [ -n "$$out" ]; then echo "systemd-analyze verify printed warnings:"; echo "$$out"; exit 1; fi; \
	echo "systemd-analyze verify: $(UNITS) ok"; \
	out=$$(systemd-analyze security --offline=true --threshold=20 "$$tmp/medstored.service" 2>&1) || { echo "$$out"; echo "systemd-analyze security: exposure above 2.0"; exit 1; }; \
	echo "systemd-analyze security: $$(echo "$$out" | grep -o 'Overall exposure level.*')"; \
	out=$$(systemd-sysusers --dry-run $(abspath systemd/medstore.sysusers.conf) 2>&1) || { echo "$$out"; exit 1; }; \
	echo "systemd-sysusers --dry-run: systemd/medstore.sysusers.conf ok"; \
	$(BIN_DIR)/medstored --check-config --config systemd/medstored.conf.example >/dev/null; \
	echo "medstored --check-config: systemd/medstored.conf.example ok"; \
	for page in man/medstored.8 man/medctl.1; do \
	  err=$$(MANWIDTH=80 man -l "$$page" 2>&1 >/dev/null); if [ -n "$$err" ]; then echo "$$page: $$err"; exit 1; fi; \
	done; \
	echo "man -l: man/medstored.8 man/medctl.1 ok"

# --- fuzzing -------------------------------------------------------------------------------------
# Targets frame, payload, sas and http (Sources/MedStoreFuzzing; Tests/Fuzz/README.md). The build
# is release (speed) with libFuzzer and AddressSanitizer, of the medstore-fuzz product only, in
# its own scratch path so the normal build is untouched. Tests/Fuzz/run-fuzzers.sh runs each
# target for FUZZ_SECONDS and prints its executions; a crash fails the target and its input is
# saved under Tests/Fuzz/crashes/<target>/.
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 10
FUZZ_SCRATCH ?= $(SCRATCH)-fuzz
FUZZ_TARGETS ?= frame payload sas http

fuzz: deps
	$(SWIFT) build --scratch-path $(FUZZ_SCRATCH) -c release --product medstore-fuzz \
	  --sanitize address -Xswiftc -sanitize=fuzzer -Xswiftc -DMEDSTORE_LIBFUZZER 2>&1 | sed '/Cannot export local symbol/d'
	Tests/Fuzz/run-fuzzers.sh $(abspath $(FUZZ_SCRATCH))/release/medstore-fuzz $(FUZZ_SECONDS) \
	  $(abspath $(FUZZ_SCRATCH))/fuzz-work $(FUZZ_TARGETS)

# --- benchmarks ----------------------------------------------------------------------------------
# make bench: release build, then bench/run.py, which installs its baselines (nginx-light, wrk,
# iperf3; bench/.venv and bench/.venv-az from PyPI), runs each benchmark against its baseline and
# writes bench/results/latest.md. Not part of `make test`. BENCH_QUICK=1 for a short smoke run
# (report in bench/results/quick.md); bench/run.py --help lists the other settings.
bench: deps
	$(SWIFT) build $(SWIFT_FLAGS) -c release
	$(PYTHON) bench/run.py --bin-dir "$$($(SWIFT) build $(SWIFT_FLAGS) -c release --show-bin-path)"

# --- install -------------------------------------------------------------------------------------
install:
	$(SWIFT) build $(SWIFT_FLAGS) -c release
	@bin=$$($(SWIFT) build $(SWIFT_FLAGS) -c release --show-bin-path); \
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(SYSTEMD_DIR)" "$(DESTDIR)$(SYSUSERS_DIR)" "$(DESTDIR)$(TMPFILES_DIR)" \
	  "$(DESTDIR)$(DOC_DIR)/vectors" "$(DESTDIR)$(MAN_DIR)/man1" "$(DESTDIR)$(MAN_DIR)/man8" "$(DESTDIR)$(COMPLETION_DIR)"; \
	install -m 0755 "$$bin/medstored" "$$bin/medctl" "$(DESTDIR)$(PREFIX)/bin/"; \
	sed 's|/usr/local/|$(PREFIX)/|g' systemd/medstored.service > "$(DESTDIR)$(SYSTEMD_DIR)/medstored.service"; \
	sed 's|/usr/local/|$(PREFIX)/|g' systemd/medstored.socket > "$(DESTDIR)$(SYSTEMD_DIR)/medstored.socket"; \
	chmod 0644 "$(DESTDIR)$(SYSTEMD_DIR)/medstored.service" "$(DESTDIR)$(SYSTEMD_DIR)/medstored.socket"; \
	install -m 0644 systemd/medstore.sysusers.conf "$(DESTDIR)$(SYSUSERS_DIR)/medstore.conf"; \
	install -m 0644 systemd/medstore.tmpfiles.conf "$(DESTDIR)$(TMPFILES_DIR)/medstore.conf"; \
	install -m 0644 systemd/medstored.conf.example "$(DESTDIR)$(DOC_DIR)/medstored.conf.example"; \
	install -m 0644 man/medctl.1 "$(DESTDIR)$(MAN_DIR)/man1/medctl.1"; \
	install -m 0644 man/medstored.8 "$(DESTDIR)$(MAN_DIR)/man8/medstored.8"; \
	install -m 0644 completion/medctl.bash "$(DESTDIR)$(COMPLETION_DIR)/medctl"; \
	install -m 0644 Protocol/*.md "$(DESTDIR)$(DOC_DIR)/"; \
	install -m 0644 Protocol/vectors/frames.json "$(DESTDIR)$(DOC_DIR)/vectors/"; \
	echo "installed to $(DESTDIR)$(PREFIX) (example config: $(DOC_DIR)/medstored.conf.example; copy it to /etc/medstore/medstored.conf)"

clean:
	rm -rf $(SCRATCH) $(FUZZ_SCRATCH) $(VENV) $(AZ_VENV) Tests/interop/__pycache__ Tests/interop/.pytest_cache
