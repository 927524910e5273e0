import path from 'node:path';
import { z } from 'zod';

/** The environment, read once at start-up and validated; every module imports this frozen object. */
const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('data'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DEMO_SEED: z.coerce.number().int().default(20261123),
  DEMO_SCALE: z.string().default('demo'),
  SESSION_HOURS: z.coerce.number().positive().default(12),
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().positive().default(3000),
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().positive().default(2000),
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().positive().default(30),
  IMPORT_BATCH_ROWS: z.coerce.number().int().min(100).max(100000).default(10000),
});

export type Config = Readonly<{
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  pgliteDir: string;
  production: boolean;
  nodeEnv: 'development' | 'production' | 'test';
  demoSeed: number;
  demoScale: string;
  sessionHours: number;
  statementTimeoutMs: number;
  /** Requests a minute: per client IP on the whole API, per logged-in user, and login attempts per IP. */
  rateLimits: Readonly<{ ipPerMinute: number; userPerMinute: number; loginPerMinute: number }>;
  /** Rows an import checks or inserts per database round trip (and between progress updates). */
  importBatchRows: number;
}>;

export function readConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment: ${problems.join('; ')}`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  return Object.freeze({
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
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
    importBatchRows: env.IMPORT_BATCH_ROWS,
  });
}
