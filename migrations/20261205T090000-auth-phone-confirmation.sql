-- An account proves that its phone number (or e-mail address) belongs to the person before it can
-- act in their name (file a dossier, support, comment, vote, answer, register, request).
--
-- confirmed_at: when the proof was given — a six-digit code sent to the number or address and
-- entered (sign-up, or a password reset, which proves the same), or an agent who saw the person
-- and their identity document at the counter (confirmed_by names the agent). NULL: not yet proven.
-- New accounts start unconfirmed; which existing accounts count as confirmed is decided by the
-- data migration that follows (20261205T090100-auth-confirm-existing-accounts.sql).
ALTER TABLE users ADD COLUMN IF NOT EXISTS confirmed_at timestamptz;
ALTER TABLE users ADD COLUMN IF NOT EXISTS confirmed_by uuid REFERENCES users (id) ON DELETE SET NULL;

-- Codes sent to prove a number or address: only their hash is kept, each lives 15 minutes and
-- dies after 5 wrong tries (like password_resets). recipient is where the code went: a code proves
-- that number or address only, not one the account might carry later.
CREATE TABLE IF NOT EXISTS account_confirmations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  recipient text NOT NULL,
  code_hash text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX IF NOT EXISTS account_confirmations_user ON account_confirmations (user_id, created_at DESC);
