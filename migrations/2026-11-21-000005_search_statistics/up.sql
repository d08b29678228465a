-- Let the planner know how common every word is (the default keeps only the commonest ~1,000
-- lexemes): with it, a rare word's search uses the GIN index instead of walking the date index
-- hoping to meet 25 matches. Takes effect at the next ANALYZE.
ALTER TABLE listings ALTER COLUMN search SET STATISTICS 2000;
