#!/usr/bin/env bash
# relaypack relay benchmark, one command (see docs/benchmarks.md):
#   benchmarks/run.sh [--quick] [-n N] [-c C] [-s BYTES] [--warmup N] [--rounds R]
#                     [--configs null,remote-delivery,smarthost] [--inbound new|reused|both]
#                     [--idle-wait SECONDS] [--heap SIZE] [--results DIR] [--pack JAR] [--fanout M]
# Builds the pack, the runner and the benchmark (offline when ~/.m2 has everything), then starts
# James 3.8.1 once per configuration in benchmarks/conf/ and drives them in one run, alternating,
# with a new inbound connection per message and (--inbound both, the default) with inbound
# connections reused (smtp-source -d): one warm table per inbound mode.
# Writes benchmarks/results/<date>-<mode>.md. Exit status 1 when a count is wrong.
set -euo pipefail
cd "$(dirname "$0")/.."

# maven-shade re-shades its own previous output when dist/target is kept: the pack would be stale.
rm -rf dist/target
mvn_args=(-B -q -DskipTests -pl dist,runner,benchmarks -am package)
if ! mvn -o "${mvn_args[@]}" >/tmp/relaypack-bench-build.$$ 2>&1; then
  # Something not in ~/.m2 yet: try once online.
  if ! mvn "${mvn_args[@]}" >/tmp/relaypack-bench-build.$$ 2>&1; then
    cat /tmp/relaypack-bench-build.$$ >&2
    rm -f /tmp/relaypack-bench-build.$$
    echo "benchmarks/run.sh: build failed" >&2
    exit 2
  fi
fi
rm -f /tmp/relaypack-bench-build.$$

exec java -Drelaypack.root="$PWD" -cp benchmarks/target/classes \
  org.relaypack.benchmarks.relay.RelayBenchmark "$@"
