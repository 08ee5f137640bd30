-- fieldcase's first schema. Portable SQL (SQLite now, PostgreSQL later):
-- TEXT ids (UUIDs) and RFC 3339 UTC timestamps, explicit columns, no
-- SQLite-only types. Never edit a migration once it has landed: add another.

CREATE TABLE assets (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    serial_number   TEXT NOT NULL,
    model           TEXT NOT NULL,
    account_name    TEXT NOT NULL,
    site            TEXT NOT NULL,
    location        TEXT,
    install_date    TEXT,
    crm_asset_id    TEXT,
    crm_account_id  TEXT,
    created_at      TEXT NOT NULL
);

-- The secret printed in an asset's QR code. Revocable; an asset may be given
-- a new one (a reprinted label) while old ones stop working.
CREATE TABLE asset_tokens (
    token       TEXT PRIMARY KEY,
    asset_id    TEXT NOT NULL REFERENCES assets (id),
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX asset_tokens_asset_id ON asset_tokens (asset_id);

-- Photos are content-addressed: the file lives at photos/ab/cd/<sha256>.
CREATE TABLE photos (
    sha256        TEXT PRIMARY KEY,
    content_type  TEXT NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    bytes         BIGINT NOT NULL,
    created_at    TEXT NOT NULL
);

-- Which asset's link a photo was uploaded through: an intake may only
-- attach photos uploaded under its own asset.
CREATE TABLE photo_uploads (
    sha256      TEXT NOT NULL REFERENCES photos (sha256),
    asset_id    TEXT NOT NULL REFERENCES assets (id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (sha256, asset_id)
);
CREATE INDEX photo_uploads_asset_id ON photo_uploads (asset_id);

CREATE TABLE intakes (
    id                TEXT PRIMARY KEY,
    reference         TEXT NOT NULL UNIQUE,
    asset_id          TEXT NOT NULL REFERENCES assets (id),
    status            TEXT NOT NULL,
    notes             TEXT NOT NULL,
    -- The final, validated field values.
    fields_json       TEXT NOT NULL,
    -- The server's own structuring of the notes, kept for the audit trail.
    proposal_json     TEXT NOT NULL,
    technician_name   TEXT NOT NULL,
    technician_email  TEXT,
    technician_phone  TEXT,
    -- SHA-256 of the canonical submission: a replay matches, a conflict does not.
    request_hash      TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX intakes_asset_id ON intakes (asset_id);
CREATE INDEX intakes_status ON intakes (status);

CREATE TABLE intake_photos (
    intake_id  TEXT NOT NULL REFERENCES intakes (id),
    sha256     TEXT NOT NULL REFERENCES photos (sha256),
    position   INTEGER NOT NULL,
    PRIMARY KEY (intake_id, sha256)
);

-- The audit trail: who (or what) did what to an intake, and when.
CREATE TABLE intake_events (
    id           TEXT PRIMARY KEY,
    intake_id    TEXT NOT NULL REFERENCES intakes (id),
    at           TEXT NOT NULL,
    actor_kind   TEXT NOT NULL
                 CHECK (actor_kind IN ('technician', 'rule', 'ai', 'dispatcher', 'system')),
    actor        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    detail_json  TEXT NOT NULL
);
CREATE INDEX intake_events_intake_id ON intake_events (intake_id, at);
