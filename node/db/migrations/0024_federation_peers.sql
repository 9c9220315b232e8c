-- Family federation: the relatives' Hearth nodes this one is paired with (by libp2p peer id; only
-- these get through the connection gater), and the invite codes it has handed out. An invite's
-- secret is kept as its SHA-256 only, is good once, and expires.
CREATE TABLE federation_peers (
  id uuid PRIMARY KEY,
  peer_id text NOT NULL UNIQUE,
  name text NOT NULL,
  addresses text[] NOT NULL DEFAULT '{}',
  -- 'inviter': we redeemed their invite; 'invitee': they redeemed ours.
  role text NOT NULL CHECK (role IN ('inviter', 'invitee')),
  paired_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz
);
CREATE TABLE federation_invites (
  id uuid PRIMARY KEY,
  secret_sha256 text NOT NULL UNIQUE,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  used_by text
);
