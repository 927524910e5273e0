-- The collectors' grid adjacency (sql/0004) was marked stale by two statement triggers on grids.
-- The shapes' version (sql/0029) already moves with every statement that writes grids, so the
-- adjacency now keeps the version it was computed from and is stale when the shapes' differs
-- (server/collectors/repository.ts). Two triggers fewer on grids (docs/citus.md step 1); a change of
-- the areas' shapes alone now recomputes it too (rare, and a few seconds at Shenzhen scale).
ALTER TABLE collector_adjacency_state ADD COLUMN shapes_version bigint; -- null: never computed
DROP TRIGGER grids_mark_collector_adjacency_stale ON grids;
DROP TRIGGER grids_truncate_mark_collector_adjacency_stale ON grids;
DROP FUNCTION collector_adjacency_mark_stale();
ALTER TABLE collector_adjacency_state DROP COLUMN fresh;
