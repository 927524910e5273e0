import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { errorMiddleware } from '../../server/http/error-middleware.ts';

/**
 * What the error middleware says for database errors, by SQLSTATE (as node-postgres and PGlite
 * raise them: an error carrying `code`). A read that ran past the statement timeout is not a
 * refused change (issue 18: the whole city's KPI cards answered "The database refused the change").
 */
function appFailingWith(code: string, message = 'database error') {
  const app = express();
  app.get('/read', () => {
    throw Object.assign(new Error(message), { code });
  });
  app.use(errorMiddleware);
  return app;
}

describe('database errors in English and Chinese', () => {
  it('answers a statement timeout 503 query_timeout, saying it took too long, not that a change was refused', async () => {
    const answer = await request(appFailingWith('57014')).get('/read').expect(503);
    expect(answer.body.error.code).toBe('query_timeout');
    expect(answer.body.error.message).toMatch(/took too long/);
    expect(answer.body.error.message).not.toMatch(/refused/);
    expect(answer.body.error.messageZh).toMatch(/耗时过长/);
  });

  // Citus (docs/citus.md): a write whose connection to a stopped worker closed under it says so
  // with XX000; any other XX000 stays an internal error.
  it('answers a Citus worker lost mid-write 503 data_node_unavailable, and other internal errors 500', async () => {
    const lost = await request(appFailingWith('XX000', 'failure on connection marked as essential: 10.0.0.2:5432')).get('/read').expect(503);
    expect(lost.body.error.code).toBe('data_node_unavailable');
    await request(appFailingWith('XX000', 'could not open relation')).get('/read').expect(500);
  });

  it('answers a unique violation 409 conflict as a refused change', async () => {
    const answer = await request(appFailingWith('23505')).get('/read').expect(409);
    expect(answer.body.error).toMatchObject({ code: 'conflict', message: 'The database refused the change (conflict)' });
  });
});
