import net from 'node:net';
import { z } from 'zod';

/**
 * Which proxies' X-Forwarded-For Express believes (app.set('trust proxy', …)), and so which
 * address the per-address rate limits count. Trusting a header a client can write lets it pick
 * a new address for every request, so by default nothing is trusted and the socket's address counts.
 */
export type TrustProxy = boolean | number | string[];

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, an address/prefix length, or an IPv4 address/netmask, as Express (proxy-addr) reads them. */
function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', range, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && net.isIPv4(range);
}

/**
 * TRUST_PROXY: unset or "false" trusts nothing; "true" every hop (only behind a proxy that
 * overwrites the header); a whole number trusts that many hops; otherwise a comma-separated list
 * of addresses, CIDR ranges and the names loopback, linklocal, uniquelocal.
 */
export const trustProxySetting = z
  .string()
  .optional()
  .transform((text, context): TrustProxy => {
    const value = text?.trim() ?? '';
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d{1,3}$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    const wrong = entries.filter((entry) => !isAddressOrRange(entry));
    if (wrong.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `not a hop count, true/false, or a list of addresses, CIDR ranges, loopback, linklocal, uniquelocal: ${wrong.join(', ')}`,
      });
      return z.NEVER;
    }
    return entries;
  });
