-- The language the consent text was shown in (bot/consent.py: a language shows the consent only when
-- its catalog translates all of it, else English). Items stored before languages existed were shown
-- the English wording, version '1'. The version of later items is derived from the exact wording in
-- that language, so (consent_language, consent_version) names the text a member agreed to.
ALTER TABLE testimonials ADD COLUMN consent_language TEXT NOT NULL DEFAULT 'en'
    CHECK (length(consent_language) BETWEEN 2 AND 3);
