-- kefu-server schema, version 2: the durable outbox of the webhook relay (`--webhook-url`).
-- A row is written in the same transaction as what it announces (a case, a photo, a shopper
-- follow-up), so nothing stored is ever missing from the relay, and is marked delivered only
-- after the receiver answered 2xx.

CREATE TABLE webhook_outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- delivery order
    delivery_id   TEXT NOT NULL UNIQUE,  -- UUID sent as X-Kefu-Delivery; the same on every retry
    event         TEXT NOT NULL CHECK (event IN ('case.created', 'attachment.added', 'message.added')),
    case_id       TEXT NOT NULL,
    ref           TEXT NOT NULL DEFAULT '',  -- attachment id or message id; '' for case.created
    payload       TEXT NOT NULL,          -- the JSON body (or the JSON part of a multipart body)
    created_at    INTEGER NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       INTEGER NOT NULL,       -- earliest time of the next attempt
    last_attempt_at INTEGER,
    last_error    TEXT,                   -- e.g. "HTTP 503" or "connection refused"
    delivered_at  INTEGER,
    UNIQUE (event, case_id, ref)
);
CREATE INDEX webhook_outbox_due ON webhook_outbox(state, next_at);
CREATE INDEX webhook_outbox_case ON webhook_outbox(case_id, state, id);
