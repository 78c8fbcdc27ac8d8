-- kefu-server schema, version 1. Times are Unix milliseconds (server clock) unless noted.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('agent', 'supervisor')),
    pw_hash     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    disabled    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,          -- sha256 of the cookie value; the value itself is never stored
    user_id     INTEGER NOT NULL REFERENCES users(id),
    csrf        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE cases (
    id                   TEXT PRIMARY KEY,  -- client-generated UUID, canonical lower-case hyphenated
    created_at           INTEGER NOT NULL,
    locale               TEXT NOT NULL,
    order_number         TEXT,
    contact              TEXT,
    description          TEXT NOT NULL,
    triage               TEXT NOT NULL CHECK (triage IN ('product', 'order', 'complaint', 'urgent')),
    emotion              TEXT NOT NULL CHECK (emotion IN ('calm', 'anxious', 'angry')),
    promise              TEXT,
    tags                 TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    declared_attachments TEXT NOT NULL DEFAULT '[]',   -- JSON array of attachment ids the widget announced
    bot_session          TEXT,
    token                TEXT NOT NULL,     -- per-case secret for the shopper's endpoints
    fingerprint          TEXT NOT NULL,     -- sha256 of the canonical request: same id + same body = retry
    client_id            TEXT,
    deadline_at          INTEGER NOT NULL,  -- first-response deadline (SLA tier)
    status               TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    assigned_to          INTEGER REFERENCES users(id),
    first_response_at    INTEGER,
    escalated_at         INTEGER,           -- first-response deadline missed
    supervisor_at        INTEGER,           -- left open past the escalation window (24 h): supervisor review
    closed_at            INTEGER,
    closed_by            INTEGER REFERENCES users(id),
    resolved             INTEGER,           -- 1 resolved, 0 closed unresolved
    rating               INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment       TEXT,
    rated_at             INTEGER
);
CREATE INDEX cases_queue ON cases(status, deadline_at);
CREATE INDEX cases_created ON cases(created_at);

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases(id),
    role           TEXT NOT NULL CHECK (role IN ('shopper', 'bot', 'agent', 'system')),
    text           TEXT NOT NULL,           -- PII-masked
    at             INTEGER NOT NULL,
    author         INTEGER REFERENCES users(id),
    source         TEXT NOT NULL CHECK (source IN ('transcript', 'live')),
    client_msg_id  TEXT
);
CREATE INDEX messages_case ON messages(case_id, id);
CREATE UNIQUE INDEX messages_client ON messages(case_id, client_msg_id) WHERE client_msg_id IS NOT NULL;

CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,          -- client-generated UUID
    case_id      TEXT NOT NULL REFERENCES cases(id),
    file         TEXT NOT NULL,             -- server-generated file name under <data>/attachments/
    mime         TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    size         INTEGER NOT NULL,          -- stored (re-encoded) bytes
    sha256       TEXT NOT NULL,             -- of the stored bytes
    orig_size    INTEGER NOT NULL,
    orig_sha256  TEXT NOT NULL,             -- of the uploaded bytes: same id + same bytes = retry
    filename     TEXT,                      -- display only, never used as a path
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_case ON attachments(case_id);

-- What the shopper's widget receives on /api/cases/{id}/events.
CREATE TABLE events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id  TEXT NOT NULL REFERENCES cases(id),
    kind     TEXT NOT NULL,
    data     TEXT NOT NULL,                 -- JSON
    at       INTEGER NOT NULL
);
CREATE INDEX events_case ON events(case_id, id);

-- One row per widget conversation (bot self-service rate).
CREATE TABLE bot_sessions (
    id          TEXT PRIMARY KEY,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    locale      TEXT,
    messages    INTEGER NOT NULL DEFAULT 0,
    answered    INTEGER NOT NULL DEFAULT 0,
    handed_off  INTEGER NOT NULL DEFAULT 0
);

-- Who did what in the inbox (reassign, close, reply).
CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    user_id  INTEGER REFERENCES users(id),
    action   TEXT NOT NULL,
    case_id  TEXT,
    detail   TEXT
);
