import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_ZH } from '../../server/http/messages-zh.ts';

/**
 * Issue 15 item 9: every error answers in Chinese too. The error middleware takes each code's
 * Chinese from server/http/messages-zh.ts; this test reads the server's source for every error code
 * it can produce and fails on one without Chinese. (Import row reasons are checked by the import tests.)
 */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [fs.readFileSync(full, 'utf8')] : [];
  });
}

const ERROR_CODE_PATTERNS = [
  /\bcode:\s*'([a-z_]+)'/g, // rule problems, field issues, rule params
  /HttpError\(\s*\d{3},\s*'([a-z_]+)'/g,
  /\bbadRequest\(\s*'([a-z_]+)'/g,
  /\brule\(\s*'([a-z_]+)'/g,
  /\[\d{3},\s*'([a-z_]+)'/g, // the middleware's tables of refused bodies and SQL states
];

/** zod's own issue kind for a custom check: never sent as such (describeIssues names the rule). */
const NOT_SENT = new Set(['custom']);

function errorCodesInServer(): string[] {
  const codes = sources('server').flatMap((source) => ERROR_CODE_PATTERNS.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!)));
  return [...new Set(codes)].filter((code) => !NOT_SENT.has(code)).sort();
}

describe('Chinese for every error code', () => {
  it('finds the codes (the patterns still match the source)', () => {
    expect(errorCodesInServer()).toEqual(expect.arrayContaining(['too_old', 'invalid_request', 'discriminatory_rule', 'query_timeout', 'backdated']));
  });

  it('has Chinese for each code the server writes', () => {
    expect(errorCodesInServer().filter((code) => !Object.hasOwn(ERROR_ZH, code))).toEqual([]);
  });

  it('says each in Chinese', () => {
    for (const [code, text] of Object.entries(ERROR_ZH)) expect(text, code).toMatch(/[\u4e00-\u9fff]/);
  });
});
