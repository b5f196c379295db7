#!/usr/bin/env bash
# The README's two commands on a fresh clone, with the machine's PostgreSQL and Redis services stopped first (as on a
# machine that has only JDK 17 and Maven): command 1 must serve /health on its embedded defaults, command 2 must pass
# the whole suite, readying what the tests need itself (src/test/sh/test-services.sh). Run as root on a project machine:
#   docs/fresh-clone-check.sh [REPO] [WORKDIR]
# It leaves the services running again (the test command starts them). Output: WORKDIR/cmd1.log, WORKDIR/cmd2.log.
set -uo pipefail
REPO="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
WORK="${2:-$(mktemp -d)}"
date
pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main stop || true
redis-cli -p 6379 shutdown nosave 2>/dev/null || true
pg_isready -h 127.0.0.1 -p 5432 && { echo "PostgreSQL still answers"; exit 1; }
redis-cli ping 2>/dev/null && { echo "Redis still answers"; exit 1; }
git clone -q "$REPO" "$WORK/prism" && cd "$WORK/prism" || exit 1
git log --oneline | head -1
# Command 1: build and serve on the embedded defaults.
(mvn -B -q package -DskipTests && java -jar target/prism.jar) >"$WORK/cmd1.log" 2>&1 &
started=""
for i in $(seq 1 300); do
  if curl -fsS http://localhost:8080/health 2>/dev/null; then started="$i"; echo " <- /health after ${i} s"; break; fi
  sleep 1
done
pkill -f "java -jar target/prism.jar"; wait
[ -n "$started" ] || { echo "command 1: the server never answered /health"; tail -20 "$WORK/cmd1.log"; exit 1; }
pg_isready -h 127.0.0.1 -p 5432 -q && { echo "command 1 needed the PostgreSQL service"; exit 1; }
# Command 2: the whole suite.
mvn -B test >"$WORK/cmd2.log" 2>&1
rc=$?
grep -E "test-services\]|Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$|BUILD|Total time" "$WORK/cmd2.log"
echo "command 2 rc=$rc"
date
exit $rc
