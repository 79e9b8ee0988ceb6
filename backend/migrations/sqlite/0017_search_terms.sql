-- Legal search beyond the literal text (issue 14): each article's colloquial terms (synonyms:
-- "老板不给钱" for the wage article) and its English title and summary, all searched. Empty for
-- content without them (the front-matter keys are optional).
ALTER TABLE legal_articles ADD COLUMN synonyms TEXT NOT NULL DEFAULT '';
ALTER TABLE legal_articles ADD COLUMN title_en TEXT NOT NULL DEFAULT '';
ALTER TABLE legal_articles ADD COLUMN summary_en TEXT NOT NULL DEFAULT '';

-- The FTS5 table gets a column per searched field (so bm25 can weigh them and the store can rank
-- a title or term hit before a body hit). FTS5 tables cannot gain columns: drop it and its
-- triggers, create it anew and fill it from the tables. The trigram tokenizer folds case, so
-- "wages" finds "Unpaid wages".
DROP TRIGGER legal_articles_fts_insert;
DROP TRIGGER legal_articles_fts_update;
DROP TRIGGER legal_articles_fts_delete;
DROP TRIGGER legal_services_fts_insert;
DROP TRIGGER legal_services_fts_update;
DROP TRIGGER legal_services_fts_delete;
DROP TABLE legal_fts;

-- Rows: doc_kind 'a' (article) or 's' (service point). Articles: title, terms (synonyms),
-- title_en, summary, summary_en, body (plain text + legal basis). Service points: name, -, -,
-- kind names (zh and en), -, address.
CREATE VIRTUAL TABLE legal_fts USING fts5(
    doc_kind UNINDEXED,
    doc_key UNINDEXED,
    title,
    terms,
    title_en,
    summary,
    summary_en,
    body,
    tokenize = 'trigram'
);

INSERT INTO legal_fts (doc_kind, doc_key, title, terms, title_en, summary, summary_en, body)
SELECT 'a', slug, title, synonyms, title_en, summary, summary_en, body_text || ' ' || legal_basis
  FROM legal_articles;
INSERT INTO legal_fts (doc_kind, doc_key, title, terms, title_en, summary, summary_en, body)
SELECT 's', code, name, '', '', kind_name, '', address FROM legal_services;

CREATE TRIGGER legal_articles_fts_insert AFTER INSERT ON legal_articles BEGIN
    INSERT INTO legal_fts (doc_kind, doc_key, title, terms, title_en, summary, summary_en, body)
    VALUES ('a', new.slug, new.title, new.synonyms, new.title_en, new.summary, new.summary_en,
            new.body_text || ' ' || new.legal_basis);
END;
CREATE TRIGGER legal_articles_fts_update AFTER UPDATE ON legal_articles BEGIN
    DELETE FROM legal_fts WHERE doc_kind = 'a' AND doc_key = old.slug;
    INSERT INTO legal_fts (doc_kind, doc_key, title, terms, title_en, summary, summary_en, body)
    VALUES ('a', new.slug, new.title, new.synonyms, new.title_en, new.summary, new.summary_en,
            new.body_text || ' ' || new.legal_basis);
END;
CREATE TRIGGER legal_articles_fts_delete AFTER DELETE ON legal_articles BEGIN
    DELETE FROM legal_fts WHERE doc_kind = 'a' AND doc_key = old.slug;
END;

CREATE TRIGGER legal_services_fts_insert AFTER INSERT ON legal_services BEGIN
    INSERT INTO legal_fts (doc_kind, doc_key, title, terms, title_en, summary, summary_en, body)
    VALUES ('s', new.code, new.name, '', '', new.kind_name, '', new.address);
END;
CREATE TRIGGER legal_services_fts_update AFTER UPDATE ON legal_services BEGIN
    DELETE FROM legal_fts WHERE doc_kind = 's' AND doc_key = old.code;
    INSERT INTO legal_fts (doc_kind, doc_key, title, terms, title_en, summary, summary_en, body)
    VALUES ('s', new.code, new.name, '', '', new.kind_name, '', new.address);
END;
CREATE TRIGGER legal_services_fts_delete AFTER DELETE ON legal_services BEGIN
    DELETE FROM legal_fts WHERE doc_kind = 's' AND doc_key = old.code;
END;
