-- Partner sharing (Immich's): a user shares their whole library with another user of the node
-- (a spouse), who may see it and show it in their own timeline (in_timeline, their choice).
CREATE TABLE partners (
  shared_by_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  shared_with_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  in_timeline boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shared_by_id, shared_with_id),
  CHECK (shared_by_id <> shared_with_id)
);
CREATE INDEX partners_shared_with ON partners (shared_with_id);
