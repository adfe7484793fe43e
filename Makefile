# protoviz — every target installs what it needs first and skips what is already there.
#
#   make serve   build and serve the app on http://127.0.0.1:8080 (rebuilds on change; builds
#                into target/serve, so dist/ only ever holds the release build)
#   make test    fmt, clippy, engine + CLI tests, wasm tests in headless Chromium, and the
#                WebDriver end-to-end tests against the release build
#   make dist    release build in dist/ with relative URLs (GitHub Pages sub-path, iframes)
#   make bench   criterion benchmarks of the engine, its scaling to 5,000 assets, and the
#                release build in headless Chromium: one table in bench/results.md (and .json)
#   make validate  the simulator against the real page loads in docs/validation.md
#                (scripts/validate; `sudo scripts/validate --measure` measures them again)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TRUNK_VERSION    := 0.21.14
BINARYEN_VERSION := 132.0.0
# The slide deck the embed test puts the app in (tests/classroom.rs).
REVEAL_VERSION   := 5.2.1
# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"$$/\1/p;}' Cargo.lock)
# npm-installed tools live outside the checkout, so a fresh clone on a warm machine reuses them.
TOOLS ?= $(HOME)/.cache/protoviz-tools
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(TOOLS)/node_modules/.bin:$(CARGO_BIN):$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT ?= 180
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup setup-browser setup-reveal serve dist test test-native test-wasm test-e2e lint bench validate clean

help:
	@sed -n 's/^#   //p' Makefile

## ---- set-up -------------------------------------------------------------------------
setup:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || { echo "== rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }
	@trunk --version 2>/dev/null | grep -qF "$(TRUNK_VERSION)" \
	  || { echo "== installing trunk $(TRUNK_VERSION)"; cargo install --locked trunk --version $(TRUNK_VERSION); }
	@test -n "$(WASM_BINDGEN_VERSION)" || { echo "no wasm-bindgen in Cargo.lock"; exit 1; }
	@wasm-bindgen --version 2>/dev/null | grep -qF "$(WASM_BINDGEN_VERSION)" \
	  && wasm-bindgen-test-runner --version 2>/dev/null | grep -qF "$(WASM_BINDGEN_VERSION)" \
	  || { echo "== installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; cargo install --force wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); }
	@# trunk builds with --offline (Trunk.toml): fetch the crates Cargo.lock names first.
	@cargo fetch --locked --quiet
	@wasm-opt --version 2>/dev/null | grep -qF "version $(firstword $(subst ., ,$(BINARYEN_VERSION)))" \
	  || { echo "== installing wasm-opt (npm binaryen@$(BINARYEN_VERSION)) into $(TOOLS)"; \
	       mkdir -p $(TOOLS) && npm install --prefix $(TOOLS) --no-audit --no-fund binaryen@$(BINARYEN_VERSION); }

setup-browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null \
	  || { echo "== installing Debian chromium and chromium-driver"; \
	       $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium chromium-driver; }

setup-reveal:
	@grep -qsF '"version": "$(REVEAL_VERSION)"' $(TOOLS)/node_modules/reveal.js/package.json \
	  || { echo "== installing reveal.js $(REVEAL_VERSION) into $(TOOLS) (the embed test's slide deck)"; \
	       mkdir -p $(TOOLS) && npm install --prefix $(TOOLS) --no-audit --no-fund reveal.js@$(REVEAL_VERSION); }

## ---- the two commands ---------------------------------------------------------------
serve: setup
	trunk serve --dist target/serve

dist: setup
	trunk build --release --public-url ./

test: setup setup-browser lint test-native test-wasm dist test-e2e
	@echo "== make test: all passed"

lint:
	cargo fmt --all --check
	cargo clippy --workspace --exclude protoviz --all-targets -- -D warnings
	cargo clippy -p protoviz --target wasm32-unknown-unknown --all-targets -- -D warnings

test-native:
	cargo test --workspace --exclude protoviz --exclude protoviz-e2e

# Component tests of the app in headless Chromium (wasm-bindgen-test-runner reads
# webdriver.json for the browser flags).
test-wasm:
	cargo test -p protoviz --target wasm32-unknown-unknown

test-e2e: setup-reveal
	PROTOVIZ_REVEAL=$(TOOLS)/node_modules/reveal.js PROTOVIZ_DIST=$(CURDIR)/dist cargo test -p protoviz-e2e

# One run, one table (tests/bench.rs writes it): every criterion benchmark of the engine and
# the scaling run (crates/engine/benches/scaling.rs), then the release build in headless
# Chromium. bench-start notes the time and load average first, for the table.
bench: bench-start setup setup-browser dist
	cargo bench -p protoviz-engine --bench '*'
	PROTOVIZ_DIST=$(CURDIR)/dist cargo run -q -p protoviz-e2e --bin protoviz-bench

.PHONY: bench-start
bench-start:
	@mkdir -p target/bench && { date -u +%s; cat /proc/loadavg; } > target/bench/start

validate:
	scripts/validate

clean:
	cargo clean
	rm -rf dist tests/artifacts
