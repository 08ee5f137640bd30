-- Customer portals that embed the intake form (issue 8, "Embedding in a
-- customer portal"). A portal signs short-lived embed tokens with its shared
-- secret; the secret is sealed at rest (AES-256-GCM under the server's key,
-- like asset link tokens) and shown to the admin once.
CREATE TABLE portals (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    -- JSON array of origins ("https://portal.example.com"), each exactly
    -- scheme://host[:port]: the only parents allowed to frame the form.
    origins_json   TEXT NOT NULL,
    sealed_secret  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    disabled_at    TEXT
);

-- Where an intake came from: NULL for an asset's link (a technician), the
-- portal for a customer who submitted through it, and who that customer is
-- in the portal (the token's `sub`).
ALTER TABLE intakes ADD COLUMN portal_id TEXT REFERENCES portals (id);
ALTER TABLE intakes ADD COLUMN portal_customer TEXT;
