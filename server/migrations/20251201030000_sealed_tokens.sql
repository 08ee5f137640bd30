-- Nothing leaks (issue 7).
--
-- Asset link tokens at rest: a link is found by the HMAC-SHA256 of its token
-- (keyed from the server's secret key) and the token itself is kept sealed
-- (AES-256-GCM, the same key) so a label can still be reprinted. SQL cannot
-- compute an HMAC, so the server moves every row of asset_tokens (plain
-- text) into asset_links at start-up, idempotently, deleting it there.
-- asset_tokens stays, always empty, until a later migration drops it.
CREATE TABLE asset_links (
    token_hmac    TEXT PRIMARY KEY,
    sealed_token  TEXT NOT NULL,
    asset_id      TEXT NOT NULL REFERENCES assets (id),
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);
CREATE INDEX asset_links_asset_id ON asset_links (asset_id);

-- What the CRM itself said when it refused an intake (its messages can quote
-- a customer's data): for staff only. problems_json holds fieldcase's own
-- per-field messages, which the technician's receipt shows.
ALTER TABLE intakes ADD COLUMN crm_messages_json TEXT;
