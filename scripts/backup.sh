#!/usr/bin/env bash
# Backs up Corkboard's database into one file (pg_dump's custom format, compressed):
#   DATABASE_URL=postgres://… scripts/backup.sh corkboard-2026-12-03.dump
# Run it as a role that may read everything (pg_read_all_data); keep the file off the host.
# Photos are in the bucket (turn on versioning there); see docs/deploy.md.
set -euo pipefail
file=${1:?usage: scripts/backup.sh <file.dump>}
url=${DATABASE_URL:?set DATABASE_URL to the database to back up}
pg_dump --format=custom --no-owner --no-privileges --file="$file" "$url"
echo "backed up to $file ($(du -h "$file" | cut -f1))"
