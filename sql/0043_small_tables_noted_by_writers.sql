-- Issue #20, docs/citus.md step 1 (as sql/0036 did for the grid statistics): six tables that the
-- kept figures read lose the statement triggers that moved the data version (sql/0008, sql/0020)
-- and logged every day as changed (sql/0032). Their writers note it themselves, in the same
-- transaction (server/db/data-version.ts noteFiguresWritten / noteDataVersionMoved):
--   settings                    the collectors' settings (server/collectors), the demo city's own
--   grid_population_window      extend_grid_population and refresh_grid_stats (through the
--                               statistics they write, sql/0036), the bulk load
--   inspections,
--   inspection_person_checks    a visit (server/rentals/inspections.ts) and the demo's visits
--   rental_scores,
--   rental_tier_counts          a scoring run (server/rentals/scoring.ts); version only: the kept
--                               month-ends do not read them
-- A table without triggers can become a reference table (settings, the window) or be distributed
-- with its group (the rest) on Citus. A change made by hand in SQL notes itself the same way:
-- `SELECT note_statistics_written('-infinity')` in its transaction (README, "Editing by hand").

DROP TRIGGER settings_note_analytics_change ON settings;
DROP TRIGGER settings_note_changed_days ON settings;
DROP TRIGGER grid_population_window_note_analytics_change ON grid_population_window;
DROP TRIGGER grid_population_window_note_changed_days ON grid_population_window;
DROP TRIGGER inspections_note_analytics_change ON inspections;
DROP TRIGGER inspections_note_changed_days ON inspections;
DROP TRIGGER inspection_person_checks_note_analytics_change ON inspection_person_checks;
DROP TRIGGER inspection_person_checks_note_changed_days ON inspection_person_checks;
DROP TRIGGER rental_scores_note_analytics_change ON rental_scores;
DROP TRIGGER rental_tier_counts_note_analytics_change ON rental_tier_counts;
