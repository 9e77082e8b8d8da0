-- When a closed poll's message was edited to show its final results (or was found deleted), so a
-- bot that stopped between closing a poll and that edit shows the results on its next start.
-- Polls closed before this migration already showed theirs.
ALTER TABLE polls ADD COLUMN results_posted_at TEXT;

UPDATE polls SET results_posted_at = closed_at WHERE closed_at IS NOT NULL;

CREATE INDEX polls_results_unposted ON polls (id) WHERE closed_at IS NOT NULL AND results_posted_at IS NULL;
