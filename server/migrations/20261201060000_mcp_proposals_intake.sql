-- The queue marks an intake an AI assistant proposed: looked up by intake.
CREATE INDEX mcp_proposals_intake ON mcp_proposals (intake_id);
