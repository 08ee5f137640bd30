-- Admins manage assets (issue 9): an asset is retired, never deleted (its
-- intakes keep pointing at it; its links are revoked with it), and an asset
-- imported from the connected org is found again by its Salesforce Id, so a
-- re-import updates it instead of making a second one.
ALTER TABLE assets ADD COLUMN retired_at TEXT;
ALTER TABLE assets ADD COLUMN updated_at TEXT;
CREATE UNIQUE INDEX assets_crm_asset_id ON assets (crm_asset_id) WHERE crm_asset_id IS NOT NULL;
CREATE INDEX assets_account_name ON assets (account_name, name);
