-- Legal-aid information centre (issue 6): articles (Markdown and the sanitised HTML rendered at
-- import), the directory of legal service points, and full-text search over both.
--
-- Lists (categories, related) are comma-separated codes. body_text is the article's plain text
-- (what search matches and snippets quote), so search never has to strip HTML.

CREATE TABLE legal_articles (
    slug TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    topic TEXT NOT NULL,
    summary TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    last_reviewed TEXT NOT NULL,
    categories TEXT NOT NULL,
    related TEXT NOT NULL,
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    body_text TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX legal_articles_topic ON legal_articles(topic);

CREATE TABLE legal_services (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- The kind's names (zh and en), so "调解" finds mediation committees by what they are.
    kind_name TEXT NOT NULL,
    region TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    hours TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lng DOUBLE PRECISION NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX legal_services_region ON legal_services(region);

-- SQLite: one FTS5 table with the trigram tokenizer (substring matching, which Chinese needs:
-- there are no spaces between words). Rows: doc_kind 'a' (article) or 's' (service point),
-- doc_key the slug or code. Columns searched: title (title / name), summary (summary / kind
-- names), body (text + legal basis / address). Kept in step by the triggers below, inside the
-- writing transaction.
CREATE VIRTUAL TABLE legal_fts USING fts5(
    doc_kind UNINDEXED,
    doc_key UNINDEXED,
    title,
    summary,
    body,
    tokenize = 'trigram'
);

CREATE TRIGGER legal_articles_fts_insert AFTER INSERT ON legal_articles BEGIN
    INSERT INTO legal_fts (doc_kind, doc_key, title, summary, body)
    VALUES ('a', new.slug, new.title, new.summary, new.body_text || ' ' || new.legal_basis);
END;
CREATE TRIGGER legal_articles_fts_update AFTER UPDATE ON legal_articles BEGIN
    DELETE FROM legal_fts WHERE doc_kind = 'a' AND doc_key = old.slug;
    INSERT INTO legal_fts (doc_kind, doc_key, title, summary, body)
    VALUES ('a', new.slug, new.title, new.summary, new.body_text || ' ' || new.legal_basis);
END;
CREATE TRIGGER legal_articles_fts_delete AFTER DELETE ON legal_articles BEGIN
    DELETE FROM legal_fts WHERE doc_kind = 'a' AND doc_key = old.slug;
END;

CREATE TRIGGER legal_services_fts_insert AFTER INSERT ON legal_services BEGIN
    INSERT INTO legal_fts (doc_kind, doc_key, title, summary, body)
    VALUES ('s', new.code, new.name, new.kind_name, new.address);
END;
CREATE TRIGGER legal_services_fts_update AFTER UPDATE ON legal_services BEGIN
    DELETE FROM legal_fts WHERE doc_kind = 's' AND doc_key = old.code;
    INSERT INTO legal_fts (doc_kind, doc_key, title, summary, body)
    VALUES ('s', new.code, new.name, new.kind_name, new.address);
END;
CREATE TRIGGER legal_services_fts_delete AFTER DELETE ON legal_services BEGIN
    DELETE FROM legal_fts WHERE doc_kind = 's' AND doc_key = old.code;
END;
