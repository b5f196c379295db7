#!/usr/bin/env bash
# k-means on 20,000 x 384, k = 20: Prism's KMeans against Smile 3.1.1 and Commons Math 3.6.1 in one JMH run
# (src/test/java/dev/prism/cluster/bench/KMeansBench.java; about 6 minutes on 2 cores). Prints a markdown table.
# Usage: docs/bench-kmeans.sh [--quick] [--interleaved]
#   --quick: one short measurement each, to check that it runs
#   --interleaved: instead of JMH, time every implementation once per round, round after round (5 warm-up rounds,
#     11 measured; about 3 minutes), so that a shared machine's changing load hits all of them alike
# Add -o to the Maven calls (MVN_FLAGS=-o) when every dependency is already in the local repository.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B ${MVN_FLAGS:-} test-compile
cp="$(mvn -q -B ${MVN_FLAGS:-} dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
exec java -Xms3g -Xmx3g -cp "target/test-classes:target/classes:$cp" dev.prism.cluster.bench.KMeansBench "$@"
