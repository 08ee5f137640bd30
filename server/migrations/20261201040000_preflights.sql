-- The last connection preflight (issue 9, "Connection preflight"): whether
-- the connected org can take what the schema and the policy would write.
-- One row ('default'), replaced by each run; every run is also in the audit
-- trail. `connected_at` names the connection it ran against, so a new
-- connection is not taken as checked by an older run.
CREATE TABLE salesforce_preflights (
    id              TEXT PRIMARY KEY,
    connected_at    TEXT NOT NULL,
    ran_at          TEXT NOT NULL,
    login_url       TEXT NOT NULL,
    environment     TEXT NOT NULL CHECK (environment IN ('sandbox', 'production', 'unknown')),
    passed          BOOLEAN NOT NULL,
    fields_checked  INTEGER NOT NULL,
    -- JSON array of sentences, each what to fix in Salesforce Setup.
    problems_json   TEXT NOT NULL
);
