-- The dispatcher console: staff accounts, review before create, one audit trail.
-- Portable SQL, as in the first migration; never edited once landed. (The
-- back-fill below uses SQLite's json_extract; the PostgreSQL migrations, when
-- they come, start from an empty database and need none.)

-- Staff who sign in: admins and dispatchers. Technicians have no account.
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    -- Lower-cased and trimmed: one account per address.
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'dispatcher')),
    -- argon2id, in the PHC string format.
    password_hash  TEXT NOT NULL,
    disabled_at    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

-- An admin's invitation: the link carries a random token; only its SHA-256
-- is kept. Used once, before it expires.
CREATE TABLE invitations (
    token_hash   TEXT PRIMARY KEY,
    email        TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'dispatcher')),
    invited_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    accepted_at  TEXT
);

-- One audit trail for everything: intakes, sign-ins, users, the CRM
-- connection. Append-only: no statement in the code updates or deletes a row,
-- and the triggers below refuse any that tries.
CREATE TABLE audit_events (
    id            TEXT PRIMARY KEY,
    at            TEXT NOT NULL,
    actor_kind    TEXT NOT NULL
                  CHECK (actor_kind IN ('technician', 'dispatcher', 'admin', 'rule', 'ai', 'system')),
    actor         TEXT NOT NULL,
    -- For an AI assistant: the person whose grant it used.
    on_behalf_of  TEXT,
    kind          TEXT NOT NULL,
    intake_id     TEXT REFERENCES intakes (id),
    detail_json   TEXT NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at, id);
CREATE INDEX audit_events_intake_id ON audit_events (intake_id, at);

INSERT INTO audit_events (id, at, actor_kind, actor, on_behalf_of, kind, intake_id, detail_json)
    SELECT id, at, actor_kind, actor, NULL, kind, intake_id, detail_json FROM intake_events;
DROP TABLE intake_events;

CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

-- Review before create. Every edit and resubmission bumps the revision;
-- actions name the revision they were made on.
ALTER TABLE intakes ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
-- Why a dispatcher rejected it; what they asked when they returned it.
ALTER TABLE intakes ADD COLUMN reason TEXT;
ALTER TABLE intakes ADD COLUMN question TEXT;
-- SHA-256 of the fields and photo set an approval approved.
ALTER TABLE intakes ADD COLUMN approved_hash TEXT;
-- Copies of fields the queue sorts and filters on, kept with fields_json.
ALTER TABLE intakes ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE intakes ADD COLUMN priority TEXT;
-- 0 High, 1 Medium, 2 Low, 3 none: the queue's first sort key.
ALTER TABLE intakes ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT 3;
ALTER TABLE intakes ADD COLUMN hazard INTEGER NOT NULL DEFAULT 0;

UPDATE intakes SET
    subject = COALESCE(json_extract(fields_json, '$.Subject'), ''),
    priority = json_extract(fields_json, '$.Priority'),
    priority_rank = CASE json_extract(fields_json, '$.Priority')
        WHEN 'High' THEN 0 WHEN 'Medium' THEN 1 WHEN 'Low' THEN 2 ELSE 3 END,
    hazard = CASE WHEN json_extract(fields_json, '$.Safety_Hazard__c') THEN 1 ELSE 0 END;

CREATE INDEX intakes_queue ON intakes (status, priority_rank, created_at, id);

-- The write job writes exactly what was approved.
ALTER TABLE write_jobs ADD COLUMN approved_hash TEXT;
