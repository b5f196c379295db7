#!/usr/bin/env bash
# What PostgreSQL alone costs per stored event, with no Prism in the way: loads the fixture events' properties into a
# staging table, then times the jsonb conversion and the insert into a copy of Prism's events table, server-side.
# Usage: docs/pg-ceiling.sh [psql connection args]   (default: -h 127.0.0.1 -U postgres)
set -euo pipefail
conn=("${@:--h 127.0.0.1 -U postgres}")
fixtures="$(dirname "$0")/../examples/traces"
tsv="$(mktemp)"
python3 - "$fixtures" "$tsv" <<'PY'
import glob, json, os, sys
props = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    if os.path.getsize(f) > 1_000_000:
        continue
    for e in json.load(open(f))['events']:
        if isinstance(e.get('properties'), dict):
            props.append(json.dumps(e['properties'], ensure_ascii=False))
with open(sys.argv[2], 'w') as out:
    for i in range(20000):
        out.write(props[i % len(props)].replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n') + '\n')
PY
psql ${conn[*]} -q -c "DROP DATABASE IF EXISTS prism_pg_ceiling" -c "CREATE DATABASE prism_pg_ceiling"
psql ${conn[*]} -d prism_pg_ceiling <<SQL
\timing on
CREATE UNLOGGED TABLE staging (p text);
\copy staging FROM '$tsv'
CREATE TABLE events (project_id text NOT NULL, uuid text NOT NULL, event text NOT NULL, distinct_id text, trace_id text NOT NULL,
  "timestamp" timestamptz, received_at timestamptz NOT NULL DEFAULT now(), properties jsonb NOT NULL, PRIMARY KEY (project_id, uuid));
CREATE INDEX ON events (project_id, trace_id, "timestamp");
\echo 'jsonb conversion only, 20,000 events:'
SELECT count(*) FROM staging WHERE p::jsonb IS NULL;
\echo 'insert into the events table, 20,000 events:'
INSERT INTO events (project_id, uuid, event, trace_id, "timestamp", properties)
  SELECT 'default', gen_random_uuid()::text, '\$ai_generation', md5(random()::text), now(), p::jsonb FROM staging;
SQL
psql ${conn[*]} -q -c "DROP DATABASE prism_pg_ceiling"
rm -f "$tsv"
