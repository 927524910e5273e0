import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_TARGET_TYPES } from '../../server/domain/audit-vocabulary.ts';
import { isMessageKey, translate } from '../../web/src/lib/i18n.ts';

/**
 * Issue 16 item 8: the auditor reads every recorded action and target in words, in Chinese and
 * English, never an internal name such as `rental_unit_score` or `grids_layer`. recordAudit takes
 * only the codes of server/domain/audit-vocabulary.ts (a type error otherwise); this file checks
 * that each has a label, and that the server's source writes no code outside the list.
 */
const CJK = /[\u4e00-\u9fff]/;

function serverSources(dir = 'server'): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return serverSources(full);
    return entry.name.endsWith('.ts') ? [fs.readFileSync(full, 'utf8')] : [];
  });
}

/** Every quoted code after `key:` in the server's source, e.g. `action: 'move_in'`. */
function codesWritten(key: string): string[] {
  const pattern = new RegExp(`\\b${key}: '([a-z_]+)'`, 'g');
  return [...new Set(serverSources().flatMap((source) => [...source.matchAll(pattern)].map((match) => match[1]!)))];
}

describe.each([
  ['auditAction', AUDIT_ACTIONS],
  ['auditTarget', AUDIT_TARGET_TYPES],
] as const)('%s labels', (prefix, codes) => {
  it.each([...codes])('%s has a Chinese and an English label', (code) => {
    const key = `${prefix}.${code}`;
    expect(isMessageKey(key), `web/src/lib/i18n/audit.ts lacks ${key}`).toBe(true);
    if (!isMessageKey(key)) return;
    expect(translate('zh-CN', key)).toMatch(CJK);
    expect(translate('en', key)).not.toMatch(CJK);
    expect(translate('en', key)).not.toBe(code);
  });
});

describe('the server writes only listed codes', () => {
  it('every `action:` literal in server/ is an audit action', () => {
    const written = codesWritten('action');
    expect(written.length).toBeGreaterThan(10);
    expect(written.filter((action) => !(AUDIT_ACTIONS as readonly string[]).includes(action))).toEqual([]);
  });

  it('every `targetType:` literal in server/ is an audit target type', () => {
    const written = codesWritten('targetType');
    expect(written.filter((target) => !(AUDIT_TARGET_TYPES as readonly string[]).includes(target))).toEqual([]);
  });

  it('every export layer has a target type `<name>_layer`', () => {
    const layerNames = serverSources('server/exports').flatMap((source) => [...source.matchAll(/^\s+name: '([a-z_]+)',$/gm)].map((match) => match[1]!));
    expect(layerNames.length).toBeGreaterThan(0);
    for (const name of layerNames) expect(AUDIT_TARGET_TYPES).toContain(`${name}_layer`);
  });
});
