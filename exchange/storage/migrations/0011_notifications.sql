-- Issue 11.5: follows, the in-app inbox, e-mail preferences and the e-mail outbox.
-- Notifications and outbox rows hold ids only, never names or text: they are rendered when read
-- (or sent) through the anonymity rule, so an anonymous department is never stored in one.
CREATE SEQUENCE follow_ids START 1;
-- kind: practice, risk, region, state, department (target is the id or code) or view (target is the
-- Find-lessons query string, canonical: the codec's own encoding, without sort or page).
CREATE TABLE follows (
    id INTEGER PRIMARY KEY DEFAULT nextval('follow_ids'),
    user_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, kind, target)
);
CREATE SEQUENCE notification_ids START 1;
-- One row per recipient and event: (user_id, event_seq, kind) is unique, so an event delivered again
-- (a retried transaction) cannot notify anyone twice. detail: ids only (matched follows, review id).
-- mailed_at: put in an e-mail (immediate or digest), so no digest repeats it.
CREATE TABLE notifications (
    id BIGINT PRIMARY KEY DEFAULT nextval('notification_ids'),
    user_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    event_seq BIGINT NOT NULL,
    lesson_id INTEGER,
    subject_id BIGINT,
    detail JSON,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    mailed_at TIMESTAMP,
    UNIQUE (user_id, event_seq, kind)
);
-- E-mail choices per person (no row: weekly digest, immediate mail on). unsubscribed_at: the one-click link.
CREATE TABLE mail_preferences (
    user_id INTEGER PRIMARY KEY,
    digest VARCHAR NOT NULL DEFAULT 'weekly',
    immediate BOOLEAN NOT NULL DEFAULT TRUE,
    last_digest_at TIMESTAMP,
    unsubscribed_at TIMESTAMP
);
CREATE SEQUENCE outbox_ids START 1;
-- An e-mail to send: kind 'immediate' (one notification) or 'digest' (notification_ids). The text is
-- rendered at send time. status: pending -> sending -> sent; back to pending with a later next_attempt_at
-- after a failure; failed after the last attempt; dropped when the person unsubscribed meanwhile.
-- message_id is fixed when the row is written, so a re-send after a crash carries the same Message-ID.
CREATE TABLE outbox (
    id BIGINT PRIMARY KEY DEFAULT nextval('outbox_ids'),
    user_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    notification_ids JSON NOT NULL,
    message_id VARCHAR NOT NULL UNIQUE,
    status VARCHAR NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error VARCHAR,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id);
