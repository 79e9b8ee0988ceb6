-- Legal search beyond the literal text (issue 14): each article's colloquial terms (synonyms:
-- "老板不给钱" for the wage article) and its English title and summary, all searched. Empty for
-- content without them (the front-matter keys are optional).
ALTER TABLE legal_articles ADD COLUMN synonyms TEXT NOT NULL DEFAULT '';
ALTER TABLE legal_articles ADD COLUMN title_en TEXT NOT NULL DEFAULT '';
ALTER TABLE legal_articles ADD COLUMN summary_en TEXT NOT NULL DEFAULT '';

-- Each searched column has its own trigram index: the store ORs one ILIKE per column, so the
-- planner can combine the indexes (a bitmap OR) instead of scanning the table.
CREATE INDEX legal_articles_synonyms_trgm ON legal_articles USING gin (synonyms gin_trgm_ops);
CREATE INDEX legal_articles_title_en_trgm ON legal_articles USING gin (title_en gin_trgm_ops);
CREATE INDEX legal_articles_summary_en_trgm ON legal_articles USING gin (summary_en gin_trgm_ops);
