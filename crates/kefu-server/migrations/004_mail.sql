-- kefu-server schema, version 4: e-mail. The address a shopper chose to leave on their case
-- (shown to agents in the inbox), and one row per "e-mail me this conversation" request so a
-- retry with the same id never sends a second mail. The request's address and text are not
-- kept: only a hash of the request, its case and how sending went.

ALTER TABLE cases ADD COLUMN email TEXT;

CREATE TABLE mail_log (
    id           TEXT PRIMARY KEY,          -- client-generated UUID of the request
    fingerprint  TEXT NOT NULL,             -- sha256 of the canonical request: same id + same body = retry
    case_id      TEXT,                      -- the case it named, if any
    status       TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    created_at   INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,          -- the latest attempt
    sent_at      INTEGER,
    error        TEXT                       -- why the latest attempt failed
);
CREATE INDEX mail_log_created ON mail_log(created_at);
