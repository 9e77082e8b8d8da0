-- A member who erases their data (/mydata forget) keeps their ballots in closed non-anonymous polls
-- counted, but no longer linked to them: the voter key of those ballots becomes a random pseudonym,
-- 'erased:' and 16 hex digits, one per poll and member (so a multiple-choice ballot stays one voter).
-- That is the only rewrite of a ballot ever allowed; everything else stays insert-or-delete.
DROP TRIGGER poll_votes_no_update;

CREATE TRIGGER poll_votes_no_update BEFORE UPDATE OF poll_id, voter_key, option_idx ON poll_votes
WHEN NOT (
    NEW.poll_id = OLD.poll_id
    AND NEW.option_idx = OLD.option_idx
    AND substr(OLD.voter_key, 1, 7) <> 'erased:'
    AND substr(NEW.voter_key, 1, 7) = 'erased:'
    AND length(NEW.voter_key) = 23
    AND (SELECT closed_at IS NOT NULL AND anonymous = 0 FROM polls WHERE id = OLD.poll_id)
)
BEGIN
    SELECT RAISE(ABORT, 'ballots are inserted or deleted, never rewritten');
END;
