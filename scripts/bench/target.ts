/**
 * The database a bench runs against, and the two users it logs in as.
 *
 * - DATABASE_URL: a database that already holds a city (e.g. loaded with
 *   `npm run generate -- --scale shenzhen`); the bench adds its registrations to it.
 * - otherwise TEST_DATABASE_URL: a server where the bench may create a database; it loads a city of
 *   the chosen scale with the COPY loader, runs, and drops the database again.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { hashPassword } from '../../server/auth/passwords.ts';
import { chinaToday } from '../../server/domain/calendar.ts';
import type { Scale } from '../../server/demo/city/index.ts';
import { loadCityWithCopy } from '../../server/demo/city/postgres-copy.ts';

export interface Target {
  databaseUrl: string;
  /** The scale the city was generated at, as recorded in settings.demo_city. */
  scale: string;
  /** Wall-clock seconds of each phase when the bench loaded the city itself. */
  loadSeconds?: Record<string, number>;
  drop(): Promise<void>;
}

export interface TargetChoice {
  /** A database holding a city. */
  databaseUrl?: string;
  /** Otherwise: a server where a scratch database may be created and loaded at `scale`. */
  serverUrl?: string;
  scale: Scale;
  keep: boolean;
  report: (step: string, done: number, total: number) => void;
}

export async function openTarget(choice: TargetChoice): Promise<Target> {
  if (choice.databaseUrl) {
    const { databaseUrl } = choice;
    return { databaseUrl, scale: await recordedScale(databaseUrl), drop: async () => {} };
  }
  const server = choice.serverUrl;
  if (!server) throw new Error('set DATABASE_URL (a database holding a city) or TEST_DATABASE_URL (a server where the bench may create one)');
  const name = `renwu_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await query(server, `CREATE DATABASE ${name}`);
  const databaseUrl = withDatabase(server, name);
  const drop = async () => {
    if (!choice.keep) await query(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  try {
    const loaded = await loadCityWithCopy({ databaseUrl, seed: 20261123, scale: choice.scale, today: chinaToday(), onProgress: choice.report });
    return { databaseUrl, scale: String(choice.scale), loadSeconds: loaded.seconds, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

async function recordedScale(databaseUrl: string): Promise<string> {
  const rows = await query<{ scale: string | null; buildings: boolean }>(
    databaseUrl,
    `SELECT (SELECT value ->> 'scale' FROM settings WHERE key = 'demo_city') AS scale, EXISTS (SELECT 1 FROM buildings) AS buildings`,
  );
  if (!rows[0]?.buildings) throw new Error('DATABASE_URL holds no city: load one first (npm run generate -- --scale shenzhen)');
  return rows[0].scale ?? 'unknown';
}

export interface BenchUser {
  username: string;
  password: string;
}

/**
 * A leader (whole-city heatmaps) and a police officer (drill-down, registrations) over every
 * district of the city, with fresh random passwords. Written straight into users: the bench
 * stands where an administrator would, before any session exists.
 */
export async function ensureBenchUsers(databaseUrl: string): Promise<{ leader: BenchUser; police: BenchUser }> {
  const districts = (await query<{ code: string }>(databaseUrl, `SELECT code FROM admin_areas WHERE level = 'district' ORDER BY code`)).map((row) => row.code);
  const users = { leader: { username: 'bench.leader', password: '' }, police: { username: 'bench.police', password: '' } };
  for (const [role, user] of Object.entries(users)) {
    user.password = randomBytes(12).toString('base64url');
    await query(
      databaseUrl,
      `
      INSERT INTO users (username, display_name, role, password_hash, jurisdiction)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role, password_hash = EXCLUDED.password_hash,
        jurisdiction = EXCLUDED.jurisdiction, disabled = false, must_change_password = false, awaiting_approval = false`,
      [user.username, `基准测试 ${role}`, role, await hashPassword(user.password), districts],
    );
  }
  return users;
}

export async function query<Row extends object>(databaseUrl: string, text: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
