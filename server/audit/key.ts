import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { logger } from '../logger.ts';

/**
 * The audit chain's HMAC key. It is never stored in the database: it comes from AUDIT_HMAC_KEY,
 * or (outside production, so that `npm start` needs no setup) from a key file under DATA_DIR
 * created on first use. Production without AUDIT_HMAC_KEY refuses to start.
 */
export const AUDIT_KEY_FILE = 'audit-hmac.key';
const BLOCK_BYTES = 64;
/** The custom settings the database's audit_hmac() reads its pads from (sql/0012_audit_keyed_chain.sql). */
export const AUDIT_PAD_SETTINGS = { inner: 'renwu.audit_ikey', outer: 'renwu.audit_okey' } as const;

const resolved = new WeakMap<Config, Buffer>();

export function auditKeyFor(config: Config): Buffer {
  let key = resolved.get(config);
  if (!key) {
    key = config.auditHmacKey ? Buffer.from(config.auditHmacKey, 'utf8') : keyFromFile(config);
    resolved.set(config, key);
  }
  return key;
}

function keyFromFile(config: Config): Buffer {
  if (config.production) {
    throw new Error("AUDIT_HMAC_KEY is required in production: the audit chain's key must come from the environment, not a file the server made");
  }
  const file = path.join(config.dataDir, AUDIT_KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    try {
      // 'wx': if another process created it first, keep theirs.
      fs.writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
      logger.warn('created a development audit key; set AUDIT_HMAC_KEY in production', { file });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'utf8');
}

/** The RFC 2104 pads (key XOR ipad, key XOR opad), hex: what a database session needs to compute HMAC-SHA256. */
export function hmacPads(key: Buffer): { inner: string; outer: string } {
  const block = Buffer.alloc(BLOCK_BYTES);
  (key.length > BLOCK_BYTES ? createHash('sha256').update(key).digest() : key).copy(block);
  const xorWith = (byte: number) => Buffer.from(block.map((value) => value ^ byte)).toString('hex');
  return { inner: xorWith(0x36), outer: xorWith(0x5c) };
}

/** Session settings that let a database connection append to and verify the keyed chain. */
export function auditSessionSettings(key: Buffer): Record<string, string> {
  const pads = hmacPads(key);
  return { [AUDIT_PAD_SETTINGS.inner]: pads.inner, [AUDIT_PAD_SETTINGS.outer]: pads.outer };
}

export function hmacHex(key: Buffer, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}
