-- The consent a proposal's author gave to publish it as open data under CC BY 4.0: the language the
-- consent text was shown in and the version of that exact text (cogs/proposals/consent.py).
-- Proposals stored before consent was asked carry version '0' and language 'en'.
ALTER TABLE proposals ADD COLUMN consent_version TEXT NOT NULL DEFAULT '0'
    CHECK (length(consent_version) BETWEEN 1 AND 64);
ALTER TABLE proposals ADD COLUMN consent_language TEXT NOT NULL DEFAULT 'en'
    CHECK (length(consent_language) BETWEEN 2 AND 3);
