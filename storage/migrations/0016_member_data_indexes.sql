-- /mydata export and /mydata forget look a member up in every capability. Without these indexes
-- SQLite read a whole server's exchanges and lessons (or every ballot of every poll, every testimonial
-- decision, every proposal's history) to find one member's rows, so an export cost ~200 ms even for a
-- member with no data. Each index leads with the column the member-data query filters on, so queries
-- by server alone keep the plans they had. tests/storage/test_member_data_plans.py checks the plans.

-- Exchanges asked and resolved, and lessons written by a member (export and erasure).
CREATE INDEX exchanges_author ON exchanges (author_id, guild_id);
CREATE INDEX exchanges_resolver ON exchanges (resolved_by, guild_id) WHERE resolved_by IS NOT NULL;
CREATE INDEX lessons_author ON lessons (author_id);

-- A member's ballots: from the server's named polls to the ballot's primary key (poll_id, voter_key).
-- Not an index on poll_votes (voter_key): that one would cost every vote's commit another page.
CREATE INDEX polls_guild_kind ON polls (guild_id, anonymous, closed_at);

-- Testimonials by author in any server (erasure), and decisions by moderator (export).
CREATE INDEX testimonials_by_author ON testimonials (author_id, guild_id);
CREATE INDEX testimonial_decisions_moderator ON testimonial_decisions (moderator_id);

-- Moderator actions listed in the export.
CREATE INDEX polls_creator ON polls (created_by, guild_id);
CREATE INDEX calls_creator ON calls (created_by, guild_id);
CREATE INDEX proposal_events_actor ON proposal_events (actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX events_cancelled_by ON events (cancelled_by) WHERE cancelled_by IS NOT NULL;

-- A server's reminders (erasure of reminder DMs) and twinnings (export), without reading every server's.
CREATE INDEX call_reminders_guild ON call_reminders (guild_id);
CREATE INDEX twins_guild ON twins (guild_id);
