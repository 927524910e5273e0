import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { errorMiddleware } from '../../server/http/error-middleware.ts';

/**
 * What the error middleware says for database errors, by SQLSTATE (as node-postgres and PGlite
 * raise them: an error carrying `code`). A read that ran past the statement timeout is not a
 * refused change (issue 18: the whole city's KPI cards answered "The database refused the change").
 */
function appFailingWith(code: string) {
  const app = express();
  app.get('/read', () => {
    throw Object.assign(new Error('database error'), { code });
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

  it('answers a unique violation 409 conflict as a refused change', async () => {
    const answer = await request(appFailingWith('23505')).get('/read').expect(409);
    expect(answer.body.error).toMatchObject({ code: 'conflict', message: 'The database refused the change (conflict)' });
  });
});
