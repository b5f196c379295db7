#!/usr/bin/env bash
# Manual run of the real-exporter check: installs the pinned npm packages into a temporary folder and runs check.mjs
# against PRISM_URL (with PRISM_PROJECT_TOKEN and PRISM_ADMIN_TOKEN) or, when PRISM_URL is unset, against a Prism it
# starts from PRISM_JAR (default: the repository's target/prism.jar, built by `mvn -B -q package -DskipTests`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here"/package.json "$here"/package-lock.json "$here"/check.mjs "$work"/
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
if [ -z "${PRISM_URL:-}" ]; then
  export PRISM_JAR="${PRISM_JAR:-$here/../../target/prism.jar}"
fi
cd "$work" && node check.mjs
