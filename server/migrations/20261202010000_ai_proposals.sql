-- A model's recent proposals (issue 10), so that the intake submitted with
-- the same notes records in its audit trail which fields the model proposed,
-- whichever instance the submission reaches and across a restart. Keyed by
-- a SHA-256 of the asset id and the notes (the notes are not kept here);
-- the sweeper forgets a proposal after an hour.
CREATE TABLE ai_proposals (
    key_hash        TEXT PRIMARY KEY,
    proposal_json   TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX ai_proposals_created ON ai_proposals (created_at);
