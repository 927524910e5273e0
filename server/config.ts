import path from 'node:path';
import { z } from 'zod';
import { trustProxySetting, type TrustProxy } from './http/trust-proxy.ts';
import { basemapOf, basemapSettings, type Basemap } from './map/basemap.ts';

/** The environment, read once at start-up and validated; every module imports this frozen object. */
const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  MIGRATION_DATABASE_URL: z.string().url().optional(),
  AUDIT_HMAC_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  AUDIT_CHECKPOINT_SECONDS: z.coerce.number().int().min(1).max(60).default(60),
  AUDIT_LINK_INTERVAL_MS: z.coerce.number().int().min(10).max(1000).default(500),
  DATA_DIR: z.string().default('data'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DEMO_SEED: z.coerce.number().int().default(20261123),
  DEMO_SCALE: z.string().default('demo'),
  SESSION_HOURS: z.coerce.number().positive().default(12),
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().positive().default(30000),
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().positive().default(6000),
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().positive().default(30),
  LOGIN_BACKOFF_FIRST_SECONDS: z.coerce.number().positive().default(1),
  LOGIN_BACKOFF_MAX_SECONDS: z.coerce.number().positive().default(300),
  IMPORT_BATCH_ROWS: z.coerce.number().int().min(100).max(100000).default(10000),
  INSPECTION_BACKDATE_DAYS: z.coerce.number().int().min(0).max(36500).default(31),
  WARM_KEPT_ANSWERS: z.enum(['on', 'off']).default('on'),
  TRUST_PROXY: trustProxySetting,
  ...basemapSettings,
});

export type Config = Readonly<{
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** PostgreSQL only: the schema owner's URL; migrations run as it and grant the server's role what it needs. */
  migrationDatabaseUrl: string | undefined;
  /** The audit chain's HMAC key (never stored in the database); unset → a key file under dataDir outside production. */
  auditHmacKey: string | undefined;
  /** How often the audit chain's head is checkpointed to a file outside the database. */
  auditCheckpointSeconds: number;
  /** How often the sequencer links committed audit rows to the keyed chain (at most a second). */
  auditLinkIntervalMs: number;
  dataDir: string;
  pgliteDir: string;
  production: boolean;
  nodeEnv: 'development' | 'production' | 'test';
  demoSeed: number;
  demoScale: string;
  sessionHours: number;
  statementTimeoutMs: number;
  /**
   * Budgets in cost points a minute (server/http/rate-limit.ts REQUEST_COSTS: a tile 1, an audited
   * person read 20 …) per client address and per logged-in user; login attempts a minute per address.
   */
  rateLimits: Readonly<{ ipPerMinute: number; userPerMinute: number; loginPerMinute: number }>;
  /** Which proxies' X-Forwarded-For names the client address (Express 'trust proxy'); false: none. */
  trustProxy: TrustProxy;
  /** Delay after repeated failed logins: the first wait, doubling with each further failure up to the cap (seconds). */
  loginBackoff: Readonly<{ firstSeconds: number; maxSeconds: number }>;
  /** Rows an import checks or inserts per database round trip (and between progress updates). */
  importBatchRows: number;
  /** How many days back a visit may be dated when it is recorded (a month's visits entered late, not years of history). */
  inspectionBackdateDays: number;
  /**
   * Whether kept answers are built again in the background: the population maps read lately for
   * every month-end of the time slider (server/heatmaps/slider-warmer.ts), and the tiles viewed
   * lately after a change (server/tiles/tile-cache.ts). Tests turn it off unless they test it: the
   * background work's SQL would mix with the SQL a test records.
   */
  warmKeptAnswers: boolean;
  /** The office's intranet basemap style and its coordinate system; undefined: no basemap, nothing fetched elsewhere. */
  basemap: Basemap;
}>;

export function readConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment: ${problems.join('; ')}`);
  }
  const env = parsed.data;
  if (env.MIGRATION_DATABASE_URL && !env.DATABASE_URL) {
    throw new Error('Invalid environment: MIGRATION_DATABASE_URL: needs DATABASE_URL (the embedded database has one user)');
  }
  const dataDir = path.resolve(env.DATA_DIR);
  return Object.freeze({
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    migrationDatabaseUrl: env.MIGRATION_DATABASE_URL,
    auditHmacKey: env.AUDIT_HMAC_KEY,
    auditCheckpointSeconds: env.AUDIT_CHECKPOINT_SECONDS,
    auditLinkIntervalMs: env.AUDIT_LINK_INTERVAL_MS,
    dataDir,
    pgliteDir: path.join(dataDir, 'db'),
    production: env.NODE_ENV === 'production',
    nodeEnv: env.NODE_ENV,
    demoSeed: env.DEMO_SEED,
    demoScale: env.DEMO_SCALE,
    sessionHours: env.SESSION_HOURS,
    statementTimeoutMs: env.STATEMENT_TIMEOUT_MS,
    rateLimits: Object.freeze({
      ipPerMinute: env.RATE_LIMIT_IP_PER_MINUTE,
      userPerMinute: env.RATE_LIMIT_USER_PER_MINUTE,
      loginPerMinute: env.RATE_LIMIT_LOGIN_PER_MINUTE,
    }),
    loginBackoff: Object.freeze({ firstSeconds: env.LOGIN_BACKOFF_FIRST_SECONDS, maxSeconds: env.LOGIN_BACKOFF_MAX_SECONDS }),
    importBatchRows: env.IMPORT_BATCH_ROWS,
    inspectionBackdateDays: env.INSPECTION_BACKDATE_DAYS,
    trustProxy: env.TRUST_PROXY,
    warmKeptAnswers: env.WARM_KEPT_ANSWERS === 'on',
    basemap: basemapOf(env.BASEMAP_STYLE_URL, env.BASEMAP_CRS),
  });
}
