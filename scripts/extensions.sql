-- The extensions Corkboard's migrations use, made by a role allowed to (a superuser, or the
-- database's owner: they are trusted extensions). Used by scripts/cluster.sh and
-- scripts/restore.sh; the migrations then find them.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE EXTENSION IF NOT EXISTS btree_gist;
