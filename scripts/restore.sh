#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into an empty database:
#   scripts/restore.sh corkboard-2026-12-03.dump postgres://corkboard:…@db:5432/corkboard_new
# The target must exist and be empty, with the extensions made in it by a superuser
# (`psql <superuser URL of the target> -f scripts/extensions.sql`: earthdistance is not a
# trusted extension); its owner runs this. Then point DATABASE_URL at it.
#
# Why not plain pg_restore: a dump runs with an empty search_path, and the earthdistance
# functions that Corkboard's spatial indexes and generated columns use (ll_to_earth,
# earth_box) call cube functions without naming their schema, so rebuilding those indexes
# fails ("function cube(…) does not exist"). The dump is restored as SQL with the
# extensions' schema on the search path instead.
set -euo pipefail
file=${1:?usage: scripts/restore.sh <file.dump> <target database URL>}
target=${2:?usage: scripts/restore.sh <file.dump> <target database URL>}

tables=$(psql "$target" -Atc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != 0 ]; then
  echo "the target database is not empty ($tables tables): restore into a new one" >&2
  exit 1
fi
psql "$target" -q -v ON_ERROR_STOP=1 -f "$(dirname "$0")/extensions.sql"
pg_restore --no-owner --no-privileges --file=- "$file" \
  | sed "s/^SELECT pg_catalog.set_config('search_path', '', false);$/SELECT pg_catalog.set_config('search_path', 'public', false);/" \
  | grep -v '^CREATE EXTENSION\|^COMMENT ON EXTENSION' \
  | psql "$target" -q -v ON_ERROR_STOP=1 -X >/dev/null
echo "restored $file into $(psql "$target" -Atc 'SELECT current_database()'): \
$(psql "$target" -Atc 'SELECT count(*) FROM users') members, \
$(psql "$target" -Atc 'SELECT count(*) FROM listings') listings, \
$(psql "$target" -Atc 'SELECT count(*) FROM __diesel_schema_migrations') migrations"
