-- MCP: AI assistants' grants, their bearer tokens (hashed), and their
-- proposals' idempotency keys.

-- A grant: one AI client allowed some scopes on behalf of one staff member.
CREATE TABLE mcp_grants (
    id TEXT PRIMARY KEY NOT NULL,
    client_name TEXT NOT NULL,
    -- The staff account whose grant it is (the person on whose behalf).
    user_id TEXT NOT NULL,
    user_email TEXT NOT NULL,
    -- Space-separated, e.g. 'assets:read intakes:propose intakes:read'.
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Access tokens: only their SHA-256 is kept.
CREATE TABLE mcp_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL REFERENCES mcp_grants (id),
    -- The resource the token is for (this server's /mcp URL).
    audience TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX mcp_tokens_grant ON mcp_tokens (grant_id);

-- propose_intake's idempotency keys, per grant: the same key and body
-- answer the same intake; the same key with another body is refused.
CREATE TABLE mcp_proposals (
    grant_id TEXT NOT NULL REFERENCES mcp_grants (id),
    idempotency_key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    -- Reserved before the intake is made (no foreign key): a failed
    -- attempt deletes its reservation.
    intake_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (grant_id, idempotency_key)
);
