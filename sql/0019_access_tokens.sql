-- Personal access tokens (issue 22): GIS clients (QGIS, GDAL) cannot log in with a cookie, so a
-- user creates a read-only token on their account page and sends it as `Authorization: Bearer`.
-- Only the token's SHA-256 is kept; the token is shown once. A token reads what its user may read
-- (role and jurisdiction, checked on every use) and only through the routes that take tokens
-- (OGC features, vector tiles, TileJSON, layer exports). Every use is audited.
CREATE TABLE access_tokens (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX access_tokens_user_idx ON access_tokens (user_id);
