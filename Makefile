# legsim — the two Quick-start commands (`make run`, `make test`) and their set-up.
# Set-up is idempotent: Debian packages that are missing are installed with apt-get (sudo when not
# root), Python packages go into .venv from PyPI. Nothing else is downloaded.
SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python
BUILD ?= build
JOBS  ?= 2
# Warnings in legsim's own code fail the build (CI runs these targets); WERROR=OFF for a compiler
# newer than the one CI uses, whose new warnings should not stop a user's build.
WERROR ?= ON
APT_PKGS := g++ make cmake python3-venv python3-dev libeigen3-dev libboost-dev libxsimd-dev catch2 \
            libbenchmark-dev libtomlplusplus-dev libnlopt-cxx-dev
# Only `make fuzz` needs these: clang 14 and its libFuzzer runtime.
FUZZ_APT_PKGS := clang libclang-rt-14-dev
# Only `make docs` needs this: Doxygen reads the C++ headers for the API pages (with breathe).
DOCS_APT_PKGS := doxygen
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all setup system-deps fuzz-deps docs-deps python-deps build fmu run test test-cpp test-python test-slow bench sanitize tsan fuzz docs clean

all: build

# Installs the Debian packages of the list $(1) that are missing.
define apt_install
	@missing=""; for p in $(1); do \
	  case $$p in cmake|g++|make|python3-venv|python3-dev) command -v $${p%%-*} >/dev/null 2>&1 && continue;; esac; \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
endef

system-deps:
	$(call apt_install,$(APT_PKGS))

fuzz-deps:
	$(call apt_install,$(FUZZ_APT_PKGS))

docs-deps:
	$(call apt_install,$(DOCS_APT_PKGS))

$(VENV)/.deps-stamp: requirements-dev.txt
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

python-deps: $(VENV)/.deps-stamp

setup: system-deps python-deps

$(BUILD)/CMakeCache.txt: | setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DLEGSIM_NATIVE=ON -DLEGSIM_BUILD_PYTHON=ON -DLEGSIM_WERROR=$(WERROR) \
	  -DLEGSIM_BUILD_TESTS=ON -DLEGSIM_BUILD_BENCH=ON -DLEGSIM_BUILD_EXAMPLES=ON \
	  -DPython_EXECUTABLE=$(abspath $(PY)) -Dpybind11_DIR=$$($(PY) -m pybind11 --cmakedir)

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)
	@# copy, then rename: a Python process that has the old module loaded keeps its file (cp onto it
	@# rewrites the mapped library in place; a Python segfault on 2026-12-05 while make test-slow
	@# rebuilt was most likely that)
	@for f in $(BUILD)/python/_core*.so; do cp -f $$f python/legsim/.core.tmp && mv -f python/legsim/.core.tmp python/legsim/$$(basename $$f); done

# The stance-leg FMUs (co-simulation), build/fmu/legsim_stance.fmu (FMI 2.0) and
# build/fmu/legsim_stance_fmi3.fmu (FMI 3.0); `make build` builds them too (they are part of the
# default target), so `make test` checks them with FMPy (tests/python/test_fmu.py).
fmu: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS) --target legsim_fmu

run: build
	PYTHONPATH=python $(PY) -m legsim.cli run

test-cpp: build
	ctest --test-dir $(BUILD) -j$(JOBS) --output-on-failure

# LEGSIM_FMU_DIR: tests/python/test_fmu.py checks the FMUs of this build (BUILD), not of build/.
test-python: build
	LEGSIM_FMU_DIR=$(abspath $(BUILD))/fmu PYTHONPATH=python $(PY) -m pytest -q tests/python

test: test-cpp test-python

# Checks too slow for CI's budget: the gait prediction's mesh refinement (150 → 300 intervals) and
# whether a condition's answer depends on its sweep grid (default mesh, with and without also_cold).
test-slow: build
	LEGSIM_SLOW_TESTS=1 PYTHONPATH=python $(PY) -m pytest -q tests/python/test_predict.py \
		tests/python/test_predict_sweep.py -k "mesh_refinement or default_mesh"

# Debug build of the C++ tests with AddressSanitizer and UndefinedBehaviorSanitizer (-O1 keeps it
# fast enough; the gait-matching tests, which run hundreds of stances through the code the stance
# and batch tests already cover, and the gait-prediction verification, a full collocation solve, are
# left to the Release run).
# Python_EXECUTABLE: the venv's Python, which CMake asks where CasADi is, so the gait-prediction
# code and its tests are sanitized too — all but the IPOPT solves (tests named "IPOPT", among them
# the C API's gait-prediction solves; its error paths run): CasADi loads its IPOPT plugin with
# dlopen(RTLD_DEEPBIND), which the sanitizer runtime refuses (google/sanitizers issue 611).
sanitize: setup
	cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DLEGSIM_SANITIZE=ON -DLEGSIM_WERROR=$(WERROR) \
	  -DLEGSIM_BUILD_BENCH=OFF -DLEGSIM_BUILD_EXAMPLES=OFF -DLEGSIM_BUILD_PYTHON=OFF -DPython_EXECUTABLE=$(abspath $(PY))
	cmake --build $(BUILD)-asan -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir $(BUILD)-asan -j$(JOBS) \
	  --output-on-failure -E "matching:|reproduces the predicted stance|IPOPT"

# ThreadSanitizer build of the C++ tests that run threads: the batch engine (worker pool) and gait
# matching, whose sweeps and candidate evaluations run on it (issue 20.9), and the C API's program,
# whose threads simulate on their own and on a shared model handle (issue 22.3). Debug -O1; no
# CasADi (so neither the C API's gait prediction, whose threads the Release test checks), no
# Python. halt_on_error: any data race fails the run.
tsan: setup
	cmake -S . -B $(BUILD)-tsan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DLEGSIM_TSAN=ON -DLEGSIM_WERROR=$(WERROR) \
	  -DLEGSIM_BUILD_BENCH=OFF -DLEGSIM_BUILD_EXAMPLES=OFF -DLEGSIM_BUILD_PYTHON=OFF -DLEGSIM_BUILD_PREDICT=OFF
	cmake --build $(BUILD)-tsan -j$(JOBS) --target test_batch_engine test_gait test_capi capi_reference
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --test-dir $(BUILD)-tsan -j$(JOBS) \
	  --output-on-failure -R "^test_batch_engine:|^test_gait:|^capi:"

# Coverage-guided fuzzing with libFuzzer (tests/fuzz/README.md): the model-file reader and
# with_params, in their own clang build (library and toml++'s parser instrumented, ASan + UBSan), each
# target FUZZ_SECONDS after replaying every input that ever failed. Fails on any finding.
FUZZ_SECONDS ?= 60
fuzz: system-deps fuzz-deps
	cmake -S . -B $(BUILD)-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
	  -DLEGSIM_FUZZ=ON -DLEGSIM_WERROR=$(WERROR) -DLEGSIM_BUILD_TESTS=OFF -DLEGSIM_BUILD_BENCH=OFF \
	  -DLEGSIM_BUILD_EXAMPLES=OFF -DLEGSIM_BUILD_PYTHON=OFF -DLEGSIM_BUILD_PREDICT=OFF
	cmake --build $(BUILD)-fuzz -j$(JOBS)
	tests/fuzz/run.sh $(BUILD)-fuzz $(FUZZ_SECONDS)

# The documentation site (docs/, Sphinx + myst-parser; issue 21.7): the API reference from the
# docstrings, so it needs the built module, and the C++ reference from the headers (Doxygen +
# breathe). -W: every warning fails the build, as in CI; --keep-going reports all of them at once. -E: a full rebuild, so a warning is never hidden by a
# cached page.
docs: build docs-deps
	PYTHONPATH=python $(PY) -m sphinx -W --keep-going -E -q -b html docs docs/_build/html

bench: build
	PYTHONPATH=python $(PY) bench/run_bench.py --build $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan $(BUILD)-fuzz python/legsim/_core*.so docs/_build docs/_generated
