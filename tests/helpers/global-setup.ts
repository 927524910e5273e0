/** Runs once before all test files: says which engine is under test and prepares its template. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  // Named before database.ts is loaded: it reads the name once (see there).
  process.env.RENWU_TEST_TEMPLATE_DB ??= `renwu_test_template_${process.pid}`;
  const { ENGINE_UNDER_TEST, prepareTemplate, dropTemplate } = await import('./database.ts');
  if (process.env.REQUIRE_POSTGIS === '1' && ENGINE_UNDER_TEST !== 'postgres') {
    throw new Error('REQUIRE_POSTGIS=1 but TEST_DATABASE_URL is not set: the PostGIS run cannot be skipped here');
  }
  process.stdout.write(
    `\n[renwu tests] database engine under test: ${ENGINE_UNDER_TEST}` +
      (ENGINE_UNDER_TEST === 'pglite' ? ' (set TEST_DATABASE_URL to run the same tests on PostgreSQL+PostGIS)' : '') +
      '\n',
  );
  await prepareTemplate();
  return dropTemplate;
}
