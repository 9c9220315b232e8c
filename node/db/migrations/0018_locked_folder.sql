-- Immich's locked folder: a PIN code per user (an Argon2id hash, as passwords are), and each
-- session's unlock, which lasts until pin_expires_at.
ALTER TABLE users ADD COLUMN pin_code_hash text;
ALTER TABLE sessions ADD COLUMN pin_expires_at timestamptz;
