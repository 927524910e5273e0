-- Imports (issue 9): buildings, units, people with residencies and cases from CSV, XLSX and
-- GeoJSON files. A job is created when the upload has landed, then validated in full and
-- imported in one transaction, all rows or none (server/imports/).

CREATE TABLE import_jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('buildings', 'units', 'people', 'cases')),
  format text NOT NULL CHECK (format IN ('csv', 'xlsx', 'geojson')),
  -- The coordinate system the file's points were declared in; they are stored as WGS84.
  crs text NOT NULL CHECK (crs IN ('wgs84', 'gcj02', 'bd09')),
  -- Text encoding found in the file (CSV, GeoJSON): 'utf-8' or 'gbk'; null for XLSX.
  encoding text CHECK (encoding IN ('utf-8', 'gbk')),
  file_name text CHECK (length(file_name) <= 200),
  file_bytes bigint NOT NULL CHECK (file_bytes > 0),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'validating', 'importing', 'done', 'failed')),
  rows_processed int NOT NULL DEFAULT 0,
  -- Known once validation has read the whole file.
  rows_total int,
  rows_imported int NOT NULL DEFAULT 0,
  error_count int NOT NULL DEFAULT 0,
  -- Why a job failed as a whole (unreadable file, interrupted); row problems are in import_job_errors.
  message text,
  created_by bigint NOT NULL REFERENCES users (id),
  -- The server process running the job, and when it last said so: a job whose process is gone
  -- is reported as interrupted instead of running forever.
  runner text NOT NULL,
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX import_jobs_recent_idx ON import_jobs (created_at DESC, id DESC);
CREATE INDEX import_jobs_creator_idx ON import_jobs (created_by, created_at DESC, id DESC);

-- Every bad row of a job: the downloadable report. `row_number` is the spreadsheet row (the
-- header is row 1) or, for GeoJSON, the feature's position (first feature = 1).
CREATE TABLE import_job_errors (
  job_id bigint NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
  seq int NOT NULL,
  row_number int NOT NULL,
  field text NOT NULL,
  reason text NOT NULL,
  PRIMARY KEY (job_id, seq)
);

-- Keys seen so far while validating a job (a hash of the building/unit code, ID number or case
-- number, never the value itself), so duplicates within a file of any size are found without
-- holding every key in memory. Emptied when the job ends.
CREATE TABLE import_job_keys (
  job_id bigint NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
  key_hash text NOT NULL,
  row_number int NOT NULL,
  PRIMARY KEY (job_id, key_hash)
);
