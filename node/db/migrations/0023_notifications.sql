-- Immich's in-app notifications: an album shared with you, photos added to or a comment on an
-- album you are in, and for admins a failed database backup or an original found damaged. Unread
-- notifications about the same thing (`key`: an album's new photos) are kept as one and updated.
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  level text NOT NULL CHECK (level IN ('success', 'error', 'warning', 'info')),
  type text NOT NULL,
  title text NOT NULL,
  description text,
  data jsonb,
  key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz
);
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC);
CREATE UNIQUE INDEX notifications_unread_key ON notifications (user_id, key) WHERE read_at IS NULL AND key IS NOT NULL;
