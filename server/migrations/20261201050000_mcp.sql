-- MCP: AI assistants as OAuth clients, the grants people give them, their
-- tokens (hashed), authorization codes (hashed), and their proposals'
-- idempotency keys.

-- A client: registered dynamically (RFC 7591) or by an admin. Public
-- clients only (PKCE, no secret).
CREATE TABLE mcp_clients (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    -- JSON array of the exact redirect URIs it may use.
    redirect_uris TEXT NOT NULL,
    -- 'dynamic' or 'admin'.
    registered_by TEXT NOT NULL CHECK (registered_by IN ('dynamic', 'admin')),
    created_at TEXT NOT NULL
);

-- A grant: one client allowed some scopes on behalf of one staff member
-- (one per consent).
CREATE TABLE mcp_grants (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES mcp_clients (id),
    client_name TEXT NOT NULL,
    -- The staff account whose grant it is (the person on whose behalf).
    user_id TEXT NOT NULL,
    user_email TEXT NOT NULL,
    -- Space-separated, e.g. 'assets:read intakes:propose intakes:read'.
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

-- Access and refresh tokens: only their SHA-256 is kept.
CREATE TABLE mcp_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL REFERENCES mcp_grants (id),
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    -- The resource the token is for (this server's /mcp URL).
    audience TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    -- A refresh token is used once (rotation); a second use revokes the grant.
    used_at TEXT
);
CREATE INDEX mcp_tokens_grant ON mcp_tokens (grant_id);

-- Authorization codes (hashed), one use each, bound to the PKCE challenge,
-- the redirect URI and the resource.
CREATE TABLE mcp_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES mcp_clients (id),
    user_id TEXT NOT NULL,
    user_email TEXT NOT NULL,
    scopes TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    resource TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    -- The grant its exchange made (revoked if the code is replayed).
    grant_id TEXT
);

-- propose_intake's idempotency keys, per grant: the same key and body
-- answer the same intake; the same key with another body is refused.
CREATE TABLE mcp_proposals (
    grant_id TEXT NOT NULL REFERENCES mcp_grants (id),
    client_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    -- Reserved before the intake is made (no foreign key): a failed
    -- attempt deletes its reservation.
    intake_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (grant_id, idempotency_key)
);
CREATE INDEX mcp_proposals_client ON mcp_proposals (client_id, created_at);
