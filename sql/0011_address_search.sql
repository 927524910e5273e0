-- Police and collectors search people by a part of their building's address ("幸福路12"):
-- a trigram index answers a substring match without reading every building of the city.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX buildings_address_trgm_idx ON buildings USING gin (address gin_trgm_ops);
