# Corkboard. `make run` serves the site with demo data; `make test` runs every check.
.PHONY: run test css lint release schema bench bench-photos bench-messages bench-cluster cluster cluster-down test-cluster clean-var help

CARGO ?= cargo

help:
	@echo "make run      install what is missing, build, start the site at http://127.0.0.1:8080 with demo data"
	@echo "make test     install what is missing, then fmt, clippy and every test (what CI runs)"
	@echo "make css      rebuild static/css/app.css from assets/app.css and templates/"
	@echo "make lint     cargo fmt --check and clippy"
	@echo "make release  build target/release/corkboard"
	@echo "make bench    1,000,000 listings: requests/s and latency of pages and searches, EXPLAIN ANALYZE (release build)"
	@echo "make bench-photos  CPU per 12 MP photo and peak memory of 8 concurrent uploads (release build)"
	@echo "make bench-messages  live delivery over 1,000 streams on two instances, memory per stream, inbox req/s (release build)"
	@echo "make bench-cluster  the cluster through nginx next to one instance direct, then a 10-minute soak at half the maximum (release build)"
	@echo "make cluster  PostgreSQL primary + streaming replica, S3, three instances and nginx at http://127.0.0.1:8090 (scripts/cluster.sh)"
	@echo "make cluster-down  stop what make cluster started"
	@echo "make test-cluster  start the cluster, run the tests that need it, stop it"
	@echo "make schema   regenerate src/db/schema.rs with the Diesel CLI (migrates the ./var database first)"
	@echo "make clean-var  stop nothing, delete ./var (the local database, uploads and keys)"

run:
	@scripts/setup.sh run
	$(CARGO) build --release --locked
	./target/release/corkboard serve --seed-demo

test:
	@scripts/test.sh

css:
	@scripts/setup.sh test
	npm run build:css

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

release:
	$(CARGO) build --release --locked

schema:
	@command -v diesel >/dev/null || $(CARGO) install diesel_cli --no-default-features --features postgres --locked
	$(CARGO) build --quiet
	@if [ -n "$(DATABASE_URL)" ]; then \
	  ./target/debug/corkboard migrate && diesel print-schema --database-url "$(DATABASE_URL)" > src/db/schema.rs; \
	else \
	  url=$$(./target/debug/corkboard database start) && ./target/debug/corkboard migrate && \
	  diesel print-schema --database-url "$$url" > src/db/schema.rs; status=$$?; \
	  ./target/debug/corkboard database stop; exit $$status; \
	fi

bench:
	@scripts/setup.sh run
	@command -v wrk >/dev/null || scripts/setup.sh bench
	$(CARGO) build --release --locked --bin corkboard --example bench_search
	./target/release/examples/bench_search

bench-photos:
	@scripts/setup.sh run
	$(CARGO) build --release --locked --bin corkboard --example bench_photos
	./target/release/examples/bench_photos

bench-messages:
	@scripts/setup.sh run
	@command -v wrk >/dev/null || scripts/setup.sh bench
	$(CARGO) build --release --locked --bin corkboard --example bench_messages
	./target/release/examples/bench_messages

bench-cluster:
	@scripts/setup.sh cluster
	$(CARGO) build --release --locked --bin corkboard --example s3_server --example bench_cluster
	./target/release/examples/bench_cluster

cluster:
	@scripts/setup.sh cluster
	$(CARGO) build --release --locked --bin corkboard --example s3_server
	scripts/cluster.sh up

cluster-down:
	scripts/cluster.sh down

test-cluster:
	@scripts/setup.sh cluster
	$(CARGO) build --release --locked --bin corkboard --example s3_server
	@scripts/test-cluster.sh

clean-var:
	rm -rf var
