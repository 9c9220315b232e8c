-- "On this day" memories are worked out when asked (one per earlier year, with a stable id); what
-- their owner does with one is kept here: Immich's isSaved and seenAt, and a memory they removed.
-- A row is made the first time a memory is listed, so a memory's id can be looked up later.
CREATE TABLE memory_state (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  taken_year integer NOT NULL,
  month integer NOT NULL,
  day integer NOT NULL,
  memory_at timestamptz NOT NULL,
  is_saved boolean NOT NULL DEFAULT false,
  seen_at timestamptz,
  removed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX memory_state_owner ON memory_state (owner_id);
