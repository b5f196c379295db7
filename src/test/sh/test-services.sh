#!/usr/bin/env bash
# What the test suite needs on the machine, made ready before the tests run (pom.xml binds this script to the
# process-test-classes phase), so that `mvn -B test` passes on a fresh Debian machine with only JDK 17 and Maven:
#   - PostgreSQL on 127.0.0.1:5432, trust auth (ServicePostgres creates one database per test class),
#   - Redis on 127.0.0.1:6379 (RedisTraceTextTest),
#   - Chromium and chromedriver at /usr/bin (DashboardBrowserTest; it skips itself when they are missing).
# Idempotent and cheap when all is there: a service that answers is never touched, a package is installed only when
# missing, a stopped service is started, and only a cluster this script created or installed has its auth set.
#
# Environment:
#   PRISM_TEST_PG_PORT, PRISM_TEST_REDIS_PORT   ports to check and start on (5432, 6379)
#   PRISM_TEST_CHROMIUM, PRISM_TEST_CHROMEDRIVER where the browser test looks (/usr/bin/chromium, /usr/bin/chromedriver)
#   PRISM_TEST_SERVICES_DRY_RUN=1               print the commands that would change the machine instead of running them
# Skip it altogether with -Dprism.services.skip=true (it is skipped with -DskipTests and -Dmaven.test.skip=true).
set -euo pipefail

PG_PORT="${PRISM_TEST_PG_PORT:-5432}"
REDIS_PORT="${PRISM_TEST_REDIS_PORT:-6379}"
CHROMIUM="${PRISM_TEST_CHROMIUM:-/usr/bin/chromium}"
CHROMEDRIVER="${PRISM_TEST_CHROMEDRIVER:-/usr/bin/chromedriver}"
DRY="${PRISM_TEST_SERVICES_DRY_RUN:-}"
# Daemons started from here must not inherit Maven's output pipe, or the build would wait for them to exit.
LOG="${TMPDIR:-/tmp}/prism-test-services.log"

say() { echo "[test-services] $*"; }
run() {
  if [ -n "$DRY" ]; then say "would run: $*"; else "$@"; fi
}
daemon() {
  if [ -n "$DRY" ]; then say "would run: $*"; else "$@" </dev/null >>"$LOG" 2>&1; fi
}

# Installing and starting system services needs root: as root directly, otherwise through sudo without a password.
SUDO=""
CAN_ROOT=1
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else CAN_ROOT=""; fi
fi

APT_UPDATED=""
install_packages() {
  if [ -z "$CAN_ROOT" ] || ! command -v apt-get >/dev/null 2>&1; then
    say "cannot install $* here (needs apt-get and root or passwordless sudo)"
    return 1
  fi
  say "installing $* (apt output: $LOG)"
  # Output to the log: the packages' own scripts may start services, which must not hold Maven's pipe either.
  if [ -z "$APT_UPDATED" ]; then
    daemon $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq || { tail -n 20 "$LOG"; return 1; }
    APT_UPDATED=1
  fi
  # The postgresql package creates its cluster in the environment's locale: UTF-8, as on the project's machines,
  # not the SQL_ASCII a bare container's unset locale would give.
  daemon $SUDO env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8 apt-get install -y -qq "$@" \
    || { tail -n 20 "$LOG"; return 1; }
}

wait_for() { # seconds, check function, what
  local i
  for ((i = 0; i < $1 * 4; i++)); do
    if "$2"; then return 0; fi
    sleep 0.25
  done
  say "$3 did not come up within $1 s; log: $LOG"
  tail -n 20 "$LOG" 2>/dev/null || true
  return 1
}

pg_up() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -h 127.0.0.1 -p "$PG_PORT" -q
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null
  fi
}

pg_server_installed() {
  command -v pg_ctlcluster >/dev/null 2>&1 && compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null
}

# "VERSION NAME STATUS" of the cluster configured on PG_PORT, if any.
pg_cluster_on_port() {
  { pg_lsclusters -h 2>/dev/null || true; } | awk -v p="$PG_PORT" '$3 == p { print $1, $2, $4; exit }'
}

# The tests connect as postgres over TCP without a password; a fresh Debian cluster asks for one (scram).
pg_trust() { # version name
  local hba="/etc/postgresql/$1/$2/pg_hba.conf"
  say "trust auth for local and 127.0.0.1 connections in $hba (a cluster this script set up)"
  run $SUDO sed -i '1i local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
}

ensure_postgres() {
  if pg_up; then
    say "PostgreSQL answers on 127.0.0.1:$PG_PORT"
    return 0
  fi
  if [ -z "$CAN_ROOT" ]; then
    say "PostgreSQL is not answering on 127.0.0.1:$PG_PORT and this user cannot start it (needs root or passwordless sudo)"
    return 1
  fi
  local fresh=""
  if ! pg_server_installed; then
    install_packages postgresql || return 1
    fresh=1
  fi
  local cluster version name status
  cluster="$(pg_cluster_on_port)"
  if [ -z "$cluster" ]; then
    version="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)"
    version="${version:-15}"
    name=main
    if [ -d "/etc/postgresql/$version/main" ]; then name="prism-test-$PG_PORT"; fi
    say "creating PostgreSQL cluster $version/$name on port $PG_PORT"
    run $SUDO pg_createcluster --locale C.UTF-8 -p "$PG_PORT" "$version" "$name"
    cluster="$version $name down"
    fresh=1
  fi
  read -r version name status <<<"$cluster"
  if [ -n "$fresh" ]; then pg_trust "$version" "$name"; fi
  if [[ "$status" == online* ]]; then
    # Installing the package may have started it already; it only has to read the new auth rules.
    if [ -n "$fresh" ]; then daemon $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" "$name" reload || true; fi
  else
    say "starting PostgreSQL $version/$name on port $PG_PORT"
    if ! daemon $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start; then
      say "pg_ctlcluster could not start $version/$name; log: $LOG"
      tail -n 20 "$LOG" 2>/dev/null || true
    fi
  fi
  if [ -n "$DRY" ]; then return 0; fi
  wait_for 60 pg_up "PostgreSQL on 127.0.0.1:$PG_PORT"
}

redis_up() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" || exit 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 reply <&3 || exit 1
    [[ "$reply" == +PONG* ]]
  ) 2>/dev/null
}

ensure_redis() {
  if redis_up; then
    say "Redis answers on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    install_packages redis-server || return 1
    # The package may start its own service on 6379.
    if [ -z "$DRY" ] && [ "$REDIS_PORT" = 6379 ] && wait_for 5 redis_up "Redis service of the package" >/dev/null; then
      return 0
    fi
  fi
  say "starting Redis on 127.0.0.1:$REDIS_PORT"
  daemon redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no || true
  if [ -n "$DRY" ]; then return 0; fi
  wait_for 30 redis_up "Redis on 127.0.0.1:$REDIS_PORT"
}

ensure_chromium() {
  if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; then
    say "Chromium and chromedriver are installed"
    return 0
  fi
  # Selenium drives Debian's browser; nothing downloads a browser of its own.
  install_packages chromium chromium-driver || say "the browser tests will be skipped"
}

: >>"$LOG" 2>/dev/null || LOG=/dev/null
failed=""
ensure_postgres || failed="$failed PostgreSQL"
ensure_redis || failed="$failed Redis"
ensure_chromium || true
if [ -n "$failed" ]; then
  say "not available:$failed. The tests need PostgreSQL on 127.0.0.1:$PG_PORT (trust auth) and Redis on 127.0.0.1:$REDIS_PORT;"
  say "start them, or run with -Dprism.services.skip=true to run the tests anyway"
  exit 1
fi
