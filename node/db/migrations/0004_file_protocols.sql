-- WebDAV and SFTP: the files users put in /Uploads, and the SSH keys they log in with.

-- /Uploads is one working folder on disk per user (<data>/dav/<user>/Uploads), shared by WebDAV and
-- SFTP. This says which asset each file there is, so that overwriting or removing it sends that
-- asset to the trash (unless another path is the same asset). asset_id NULL: a complete upload
-- still locked by its WebDAV client; it becomes an asset at UNLOCK (or at start-up, as locks do not
-- survive a restart). Files that are not photos or videos have no row.
CREATE TABLE upload_files (
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- below /Uploads, segments joined by '/': 'Trip/IMG_0001.jpg'
  path text NOT NULL,
  asset_id uuid REFERENCES assets (id) ON DELETE CASCADE,
  PRIMARY KEY (owner_id, path)
);
CREATE INDEX upload_files_asset ON upload_files (asset_id);
CREATE INDEX upload_files_deferred ON upload_files (owner_id) WHERE asset_id IS NULL;

-- Public keys for SFTP, added by each user through the API. The key is kept in its OpenSSH one-line
-- form; the fingerprint (SHA256:..., as ssh-keygen -l prints it) is how it is found at login.
CREATE TABLE ssh_keys (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  algorithm text NOT NULL,
  public_key text NOT NULL,
  fingerprint text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  UNIQUE (user_id, fingerprint)
);
