-- Regions of the grid hierarchy; geometry is the GeoJSON geometry object as text.
CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    level TEXT NOT NULL,
    parent TEXT,
    geometry TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX regions_parent ON regions(parent);

CREATE TABLE units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    region TEXT NOT NULL,
    phone TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    route_level TEXT NOT NULL,
    department_kind TEXT NOT NULL,
    deadline_days INTEGER NOT NULL,
    urgent INTEGER NOT NULL,
    sort_order INTEGER NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A resident's appeal in progress, keyed by the secret token issued with the form. After
-- submission it keeps the ticket and the plaintext key so a repeated submit shows the same receipt.
CREATE TABLE drafts (
    token TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    ticket TEXT,
    access_key TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE draft_photos (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL REFERENCES drafts(token) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX draft_photos_token ON draft_photos(token);

CREATE TABLE appeals (
    ticket TEXT PRIMARY KEY,
    submit_token TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lng DOUBLE PRECISION,
    region TEXT,
    cell TEXT,
    address_note TEXT,
    anonymous INTEGER NOT NULL,
    contact_name TEXT,
    contact_phone TEXT,
    status TEXT NOT NULL,
    unit TEXT NOT NULL,
    route_reason TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    deadline_at BIGINT NOT NULL
);
CREATE INDEX appeals_unit ON appeals(unit, status);

CREATE TABLE appeal_photos (
    id TEXT PRIMARY KEY,
    ticket TEXT NOT NULL REFERENCES appeals(ticket),
    position INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL
);

-- Every change of an appeal; public rows are shown to the resident.
CREATE TABLE appeal_events (
    id BIGSERIAL PRIMARY KEY,
    ticket TEXT NOT NULL REFERENCES appeals(ticket),
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    unit TEXT,
    public INTEGER NOT NULL,
    body TEXT
);
CREATE INDEX appeal_events_ticket ON appeal_events(ticket, id);
