-- Legal-aid information centre (issue 6): articles (Markdown and the sanitised HTML rendered at
-- import), the directory of legal service points, and search indexes.
--
-- Lists (categories, related) are comma-separated codes. body_text is the article's plain text
-- (what search matches and snippets quote), so search never has to strip HTML.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

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

-- PostgreSQL: GIN trigram indexes serve ILIKE '%…%' of three characters or more. pg_trgm takes
-- its trigrams from "words" of the database's character class: in a UTF-8 locale (C.UTF-8,
-- zh_CN.UTF-8) Chinese characters count and the indexes cover Chinese; in the plain C locale
-- only ASCII does, and searches are still correct, by scanning (a city's few hundred rows).
CREATE INDEX legal_articles_title_trgm ON legal_articles USING gin (title gin_trgm_ops);
CREATE INDEX legal_articles_summary_trgm ON legal_articles USING gin (summary gin_trgm_ops);
CREATE INDEX legal_articles_body_trgm ON legal_articles USING gin (body_text gin_trgm_ops);
CREATE INDEX legal_articles_basis_trgm ON legal_articles USING gin (legal_basis gin_trgm_ops);
CREATE INDEX legal_services_name_trgm ON legal_services USING gin (name gin_trgm_ops);
CREATE INDEX legal_services_address_trgm ON legal_services USING gin (address gin_trgm_ops);
CREATE INDEX legal_services_kind_trgm ON legal_services USING gin (kind_name gin_trgm_ops);
