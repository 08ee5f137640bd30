-- Writing approved intakes into Salesforce, exactly once.
-- Portable SQL, as in the first migration; never edited once landed.

-- The case an intake became, once written.
ALTER TABLE intakes ADD COLUMN crm_case_id TEXT;
ALTER TABLE intakes ADD COLUMN crm_case_number TEXT;
ALTER TABLE intakes ADD COLUMN crm_case_url TEXT;
ALTER TABLE intakes ADD COLUMN written_at TEXT;
-- What the CRM refused (status needs_attention): {field API name: message}.
ALTER TABLE intakes ADD COLUMN problems_json TEXT;

-- Each photo's file in the CRM (a ContentVersion), once uploaded.
ALTER TABLE intake_photos ADD COLUMN crm_content_version_id TEXT;

-- The write queue: one job per approved intake, made in the approval's
-- transaction. A worker leases a due job (lease_owner, lease_until), so
-- several server instances never work on one intake at once, and a job whose
-- worker died is picked up again once its lease has run out.
CREATE TABLE write_jobs (
    intake_id        TEXT PRIMARY KEY REFERENCES intakes (id),
    -- pending (waiting or retrying) | done | needs_attention
    state            TEXT NOT NULL
                     CHECK (state IN ('pending', 'done', 'needs_attention')),
    -- Attempts that failed for a passing reason (timeouts, 5xx, API limits).
    attempts         INTEGER NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    lease_owner      TEXT,
    lease_until      TEXT,
    -- The last failure, as an error code and field names (never field values).
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX write_jobs_due ON write_jobs (state, next_attempt_at);

-- The one Salesforce connection. Tokens are encrypted (AES-256-GCM, a random
-- nonce per write) with the configured secret key; this table never holds a
-- token in the clear.
CREATE TABLE salesforce_connections (
    id                  TEXT PRIMARY KEY CHECK (id = 'default'),
    -- web_server | client_credentials
    flow                TEXT NOT NULL,
    instance_url        TEXT NOT NULL,
    identity_url        TEXT,
    user_id             TEXT,
    org_id              TEXT,
    scope               TEXT,
    access_token_enc    TEXT NOT NULL,
    refresh_token_enc   TEXT,
    -- Salesforce refused the grant (invalid_grant): an administrator must
    -- connect again; writes wait until then.
    needs_reauth_at     TEXT,
    reauth_reason       TEXT,
    connected_at        TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

-- "Connect Salesforce" started in a browser: the OAuth state and the PKCE
-- verifier (encrypted), until the callback uses them or they expire.
CREATE TABLE salesforce_auth_requests (
    state         TEXT PRIMARY KEY,
    verifier_enc  TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
