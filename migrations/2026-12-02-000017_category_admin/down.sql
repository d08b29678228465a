ALTER TABLE categories DROP COLUMN retired_at, DROP CONSTRAINT categories_name_length;
