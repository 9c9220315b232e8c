-- ML pipeline: which ML stage has processed which asset (at which version), and settings an admin
-- changes at run time (the overnight ML window), kept in the database so they survive restarts.

CREATE TABLE asset_ml_runs (
  asset_id uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  stage text NOT NULL,
  -- The stage's version when it ran: a stage whose version is bumped (a new model) redoes the asset.
  version integer NOT NULL,
  done_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (asset_id, stage)
);
CREATE INDEX asset_ml_runs_stage ON asset_ml_runs (stage, version);

-- Run-time settings by section (Immich's system-config sections, and Hearth's own under `hearth.*`).
CREATE TABLE system_config (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
