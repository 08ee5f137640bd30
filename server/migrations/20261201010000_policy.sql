-- The admin's policy (issue 9, "The policy"): every saved version, never
-- changed once written; the one with the highest version is in force. No
-- row: the built-in default (every intake needs a person).
CREATE TABLE policy_versions (
    id             TEXT PRIMARY KEY,
    version        INTEGER NOT NULL UNIQUE,
    -- The policy document as JSON (its "version" field equals the column).
    document_json  TEXT NOT NULL,
    -- The admin who saved it (their e-mail).
    author         TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    -- Field-level changes from the version before: a JSON array of
    -- {path, change, before, after}.
    diff_json      TEXT NOT NULL
);

-- What the policy decided at submission: the reasons the intake waits for a
-- person (a JSON array of sentences), and when it was escalated to the
-- on-call route (NULL: not escalated), for the queue's flag.
ALTER TABLE intakes ADD COLUMN policy_reasons_json TEXT;
ALTER TABLE intakes ADD COLUMN escalated_at TEXT;
