-- Extensions the search and places features stand on: trigram similarity for typo-tolerant
-- titles, cube + earthdistance for radius search, unaccent so "cafe" finds "café".
-- All four ship with PostgreSQL's contrib package and are trusted (no superuser needed on 13+).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS unaccent;
