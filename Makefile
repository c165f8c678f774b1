# Two commands do all setup on a fresh machine with Python 3.11 (the maintainer's environment, requirements.lock):
#   make book   - create .venv, install the pinned dependencies, build the HTML book into _build/html
#   make test   - the same setup, then the whole test suite (CI runs exactly this)
# and one more for speed measurements:
#   make bench  - benchmark nnlib against PyTorch on the CPU (installs PyTorch's CPU build into .venv first)
# The learner's and the instructor's environments are not made here: README.md, "Three environments".

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Tools started by other tools (nbgrader runs alembic, kernels run python) come from the venv too.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup book test test-extended bench bench-grading browser sandbox clean grade-demo learner-wheel

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml exercises/pyproject.toml jupyterlab-settings/overrides.json \
		exercises/course_grader/guard_config.py $(wildcard exercises/nbconvert_templates/*/*.j2)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	# The course's two packages: nnlib + course_checks (the learner's) and course_grader (the instructor's).
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e . -e ./exercises
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	# nbgrader's fallback configuration: refuse to grade if a course's nbgrader_config.py does not load.
	mkdir -p $(VENV)/etc/jupyter
	cp exercises/course_grader/guard_config.py $(VENV)/etc/jupyter/nbgrader_config.py
	# JupyterLab opens the MyST Markdown files as notebooks (an editable install skips the package's data files).
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp jupyterlab-settings/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	# The feedback's and the formgrader's mathjax macro, which load no MathJax from a CDN (the same editable install).
	mkdir -p $(VENV)/share/jupyter/nbconvert/templates
	cp -r exercises/nbconvert_templates/. $(VENV)/share/jupyter/nbconvert/templates/
	touch $(STAMP)

# Every chapter executed from scratch, warnings as errors (a failing cell's traceback: _build/html/reports/).
# Only the book's own folders are emptied first, so that no page of an older build lingers.
book: setup
	rm -rf _build/html _build/jupyter_execute
	$(BIN)/jupyter-book build . -W -n --keep-going --all
	@echo "The book: _build/html/index.html"

# Debian's Chromium, which tests/book/test_browser.py drives headless through Playwright (installed once).
browser:
	@command -v chromium > /dev/null || { \
		sudo=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		echo "Installing Debian's chromium for the browser test of the book"; \
		$$sudo apt-get update -qq && $$sudo apt-get install -y -qq chromium > /dev/null; }

# Debian's bubblewrap, the sandbox that learner code runs in when nbgrader grades it (course_grader.sandbox).
sandbox:
	@command -v bwrap > /dev/null || { \
		sudo=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		echo "Installing Debian's bubblewrap for grading"; \
		$$sudo apt-get update -qq && $$sudo apt-get install -y -qq bubblewrap > /dev/null; }

# Two streams at once: the book's tests (one build, then nbval runs each chapter's cells in order in one kernel,
# which pytest-xdist would split) in one pytest, everything else on pytest-xdist workers (tests/conftest.py keeps
# the tests that share an expensive fixture, such as an assignment's graded course, on one worker). The book's
# report is printed after the other's; the target fails if either fails. One BLAS thread per process: the streams
# already keep every core busy, and more BLAS threads would only spin against each other.
ONE_BLAS_THREAD = OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
test: setup browser sandbox
	@mkdir -p test-artifacts
	$(ONE_BLAS_THREAD) $(BIN)/python -m pytest -m "not extended" -o cache_dir=.pytest_cache/book tests/book \
		> test-artifacts/book-tests.log 2>&1 & book=$$!; \
	$(ONE_BLAS_THREAD) $(BIN)/python -m pytest -n auto --dist loadgroup -m "not extended" \
		tests/lib tests/env tests/exercises; \
	others=$$?; wait $$book; book=$$?; \
	echo "=== tests/book (test-artifacts/book-tests.log) ==="; cat test-artifacts/book-tests.log; \
	exit $$(( others != 0 || book != 0 ))

# The tests left out of make test for CI time (marked `extended`): an exchange round, the formgrader in Chromium,
# a PostgreSQL gradebook and grading on a Dask cluster. Run them before a release of the instructor's tools.
test-extended: setup browser sandbox postgres
	$(BIN)/python -m pytest -n auto --dist loadgroup -m extended

# PyTorch's CPU build, from PyTorch's own index: on the public index a plain torch==2.13.0 is the CUDA build
# (several GB of nvidia-* packages). Installed once into .venv, for the benchmark only.
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
bench: setup
	@$(BIN)/python -c "import torch" 2> /dev/null || { echo "Installing PyTorch 2.13.0 (CPU) from $(TORCH_INDEX)"; \
		$(BIN)/pip install --quiet --disable-pip-version-check --index-url $(TORCH_INDEX) torch==2.13.0; }
	$(BIN)/python benchmarks/bench_training.py

# The learner's package as a wheel (nnlib + course_checks, no exercises, no grading code), to hand out with
# requirements-learner.txt: pip install -r requirements-learner.txt dist/nnlib-0.1.0-py3-none-any.whl
learner-wheel: setup
	$(BIN)/pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir dist .
	@ls dist/nnlib-*.whl

# Seconds per submission per core for the reference submissions of every assignment, sandboxed and not.
bench-grading: setup sandbox
	$(BIN)/python benchmarks/bench_grading.py

# Grade a demo class of generated submissions for every assignment with the real nbgrader (see instructor.md).
grade-demo: setup sandbox
	$(BIN)/python exercises/grade_demo.py

clean:
	rm -rf _build $(VENV) dist build

# Grading a class (course_grader.coordinator, see instructor.md): every submission in exercises/submitted/, on
# one worker per core, resumable (run it again after any interruption). Options as make variables:
#   make grade ASSIGNMENT=01_neuron WORKERS=4      or      make grade SCHEDULER=tcp://10.0.0.5:8786
# and the load test: 300 generated submissions, the coordinator and a worker killed once each, then a rerun.
.PHONY: grade grade-load postgres
grade: setup sandbox
	cd exercises && $(abspath $(BIN))/python -m course_grader.coordinator $(ASSIGNMENT) \
		$(if $(WORKERS),--workers $(WORKERS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

grade-load: setup sandbox
	$(BIN)/python benchmarks/grade_load.py

# Debian's PostgreSQL server, which tests/exercises/test_postgres_gradebook.py starts in a temporary directory.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || { \
		sudo=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		echo "Installing Debian's postgresql for the gradebook test on PostgreSQL"; \
		$$sudo apt-get update -qq && $$sudo apt-get install -y -qq postgresql > /dev/null; }

# The formgrader (grading written answers by hand): JupyterLab started in exercises/, where the formgrader finds
# the course; open the URL it prints, then the Formgrader tab (Nbgrader menu). Where the class struggles, after
# grading: CSV and one PNG per assignment in exercises/struggles/.
.PHONY: formgrader struggles
formgrader: setup
	cd exercises && $(abspath $(BIN))/jupyter lab --no-browser

struggles: setup
	$(BIN)/python exercises/course_admin/struggles.py
