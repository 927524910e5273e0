import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE } from '../../server/audit/checkpoints.ts';
import { AUDIT_KEY_FILE } from '../../server/audit/key.ts';

/**
 * The audit chain's development key and its checkpoints are written under DATA_DIR (./data) on
 * first start. Both had been committed: every clone then shared one published HMAC key (the
 * server created none, so it never warned that a development key was in use), and the committed
 * checkpoint, written against some other database, made every fresh database's checkpointer
 * refuse ("lost or replaced rows"). They are machine-local state: ignored, never tracked.
 */
const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
const inGit = (() => {
  try {
    return git('rev-parse', '--is-inside-work-tree') === 'true';
  } catch {
    return false;
  }
})();
if (!inGit) process.stdout.write('[renwu tests] skipping the tracked-files check: not a git work tree\n');

describe.skipIf(!inGit)('files under data/', () => {
  it('track nothing but the README: no audit key, no checkpoints, no database', () => {
    expect(git('ls-files', 'data').split('\n').filter(Boolean)).toEqual(['data/README.md']);
  });

  it('ignore the audit key and the checkpoints wherever DATA_DIR writes them in the checkout', () => {
    for (const file of [AUDIT_KEY_FILE, CHECKPOINT_FILE]) {
      expect(git('check-ignore', '--no-index', `data/${file}`), file).toBe(`data/${file}`);
    }
  });
});
