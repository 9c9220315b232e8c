-- Immich's stacks: several photos of one moment (a burst, RAW + JPEG, bracketed exposures) shown
-- as one in the timeline, under the photo chosen as its cover (the primary). Only the owner's
-- photos; a photo is in one stack at most. A stack whose cover is deleted for good goes, and its
-- photos stand alone again.
CREATE TABLE stacks (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  primary_asset_id uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stacks_owner ON stacks (owner_id);
ALTER TABLE assets ADD COLUMN stack_id uuid REFERENCES stacks (id) ON DELETE SET NULL;
CREATE INDEX assets_stack ON assets (stack_id) WHERE stack_id IS NOT NULL;
