-- The demo org's whole state. Records of every sObject live in one table as
-- JSON (the org's schema is in describe.rs, which validates every write);
-- file bytes are BLOBs; OAuth codes and tokens are stored by SHA-256 hash only.

CREATE TABLE records (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,   -- insertion order
    id      TEXT    NOT NULL UNIQUE,             -- 18-character Salesforce id
    sobject TEXT    NOT NULL,                    -- canonical sObject name
    fields  TEXT    NOT NULL CHECK (json_valid(fields))
);
CREATE INDEX records_by_sobject ON records (sobject, seq);

-- Case.Intake_Key__c is a unique (case-insensitive) external id.
CREATE UNIQUE INDEX case_intake_key_unique
    ON records (lower(json_extract(fields, '$.Intake_Key__c')))
    WHERE sobject = 'Case' AND json_extract(fields, '$.Intake_Key__c') IS NOT NULL;

-- ContentVersion.VersionData.
CREATE TABLE content_data (
    version_id TEXT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    data       BLOB NOT NULL
);

-- Auto-numbers and id sequences.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

-- API usage, by route (N of Sforce-Limit-Info is the sum).
CREATE TABLE api_calls (
    route TEXT PRIMARY KEY,
    calls INTEGER NOT NULL
);

CREATE TABLE oauth_codes (
    code_hash      TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    scope          TEXT NOT NULL,
    expires_at     INTEGER NOT NULL,             -- ms since epoch
    used           INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE oauth_tokens (
    token_hash   TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    refresh_hash TEXT,                           -- access tokens: the refresh token they came with
    client_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    scope        TEXT NOT NULL,
    issued_at    INTEGER NOT NULL,               -- ms since epoch
    expires_at   INTEGER,                        -- ms since epoch; NULL: refresh tokens
    revoked      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX oauth_tokens_by_refresh ON oauth_tokens (refresh_hash);
