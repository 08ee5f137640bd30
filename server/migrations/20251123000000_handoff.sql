-- Handing written cases off to people (email, signed webhook).
-- Portable SQL, as in the first migration; never edited once landed.

-- Set once the routing rules have been applied to a written intake, in the
-- same transaction that queues its deliveries.
ALTER TABLE intakes ADD COLUMN handoff_planned_at TEXT;

-- One row per delivery the rules selected for an intake. The key names the
-- route, the channel and a hash of the target, so planning twice queues once
-- and a delivered message is never sent again.
CREATE TABLE handoff_deliveries (
    intake_id        TEXT NOT NULL REFERENCES intakes (id),
    delivery_key     TEXT NOT NULL,
    -- The delivery as selected (route, channel, target), and the summary it
    -- carries: later edits to the rules file do not change queued messages.
    delivery_json    TEXT NOT NULL,
    summary_json     TEXT NOT NULL,
    -- pending (waiting or retrying) | delivered | failed (refused for good)
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    lease_owner      TEXT,
    lease_until      TEXT,
    -- The last failure, without addresses, URLs or secrets.
    last_error       TEXT,
    delivered_at     TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (intake_id, delivery_key)
);
CREATE INDEX handoff_deliveries_due ON handoff_deliveries (state, next_attempt_at);
