/**
 * What makes a bulk load slow, set aside before a COPY load and restored once afterwards: one
 * sort per index instead of millions of random inserts, one join per foreign key instead of a
 * lookup per row. Read from the catalogue, so what later migrations add is handled too. Primary
 * keys stay: the generator writes them in ascending order. CHECK constraints stay too, even
 * gb11643_is_valid on persons (it costs more than parsing the row): checked as rows arrive it
 * uses the server's spare time while this process generates rows; validated afterwards it was a
 * four-minute pass alone on one core. Afterwards the schema is exactly what the migrations made
 * (every constraint validated).
 */
import type pg from 'pg';

export interface SetAside {
  /** Each index as its CREATE statement, and for UNIQUE constraints the statement that re-attaches it. */
  indexes: { table: string; name: string; create: string; attach: string | null }[];
  /** Foreign keys: re-added NOT VALID, then validated. */
  constraints: { table: string; name: string; definition: string }[];
}

export async function setAsideIndexes(client: pg.Client, tables: readonly string[]): Promise<SetAside> {
  const indexes = await client.query<{ table: string; name: string; create: string; constraint_name: string | null }>(
    `
    SELECT c.relname AS table, i.relname AS name, pg_get_indexdef(i.oid) AS create, con.conname AS constraint_name
    FROM pg_index AS x
    JOIN pg_class AS i ON i.oid = x.indexrelid
    JOIN pg_class AS c ON c.oid = x.indrelid
    LEFT JOIN pg_constraint AS con ON con.conindid = x.indexrelid AND con.conrelid = c.oid AND con.contype = 'u'
    WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY ($1) AND NOT x.indisprimary
    ORDER BY c.relname, i.relname`,
    [tables],
  );
  // Foreign keys of these tables, and any elsewhere that lean on an index set aside.
  const constraints = await client.query<{ table: string; name: string; definition: string }>(
    `
    SELECT con.conrelid::regclass::text AS table, con.conname AS name, pg_get_constraintdef(con.oid) AS definition
    FROM pg_constraint AS con
    JOIN pg_class AS c ON c.oid = con.conrelid
    WHERE con.contype = 'f' AND (
      (c.relnamespace = 'public'::regnamespace AND c.relname = ANY ($1))
      OR con.conindid IN (SELECT x.indexrelid FROM pg_index AS x JOIN pg_class AS t ON t.oid = x.indrelid
                          WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY ($1) AND NOT x.indisprimary))
    ORDER BY 1, 2`,
    [tables],
  );
  for (const constraint of constraints.rows) await client.query(`ALTER TABLE ${constraint.table} DROP CONSTRAINT ${quote(constraint.name)}`);
  for (const index of indexes.rows) {
    if (index.constraint_name) await client.query(`ALTER TABLE ${quote(index.table)} DROP CONSTRAINT ${quote(index.constraint_name)}`);
    else await client.query(`DROP INDEX ${quote(index.name)}`);
  }
  return {
    indexes: indexes.rows.map((index) => ({
      table: index.table,
      name: index.name,
      create: index.create,
      attach: index.constraint_name
        ? `ALTER TABLE ${quote(index.table)} ADD CONSTRAINT ${quote(index.constraint_name)} UNIQUE USING INDEX ${quote(index.name)}`
        : null,
    })),
    constraints: constraints.rows,
  };
}

/**
 * Restores what setAsideIndexes took away, on `workers` connections at once. The constraints
 * come back NOT VALID at once (an instant catalogue change); then, table by table, its indexes
 * are built (side by side), its UNIQUE constraints re-attached and its constraints validated
 * (one at a time: each locks the table against the others), and the table is analysed.
 * Largest tables first, so the long jobs start early.
 */
export async function restoreIndexes(
  connect: () => Promise<pg.Client>,
  aside: SetAside,
  tables: readonly string[],
  workers: number,
  report: (done: number, total: number) => void,
): Promise<void> {
  const admin = await connect();
  let sizes: Map<string, number>;
  try {
    for (const constraint of aside.constraints) {
      const definition = constraint.definition.replace(/ NOT VALID$/, '');
      await admin.query(`ALTER TABLE ${constraint.table} ADD CONSTRAINT ${quote(constraint.name)} ${definition} NOT VALID`);
    }
    const result = await admin.query<{ table: string; bytes: string }>(
      `SELECT relname AS table, pg_relation_size(oid) AS bytes FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname = ANY ($1)`,
      [tables],
    );
    sizes = new Map(result.rows.map((row) => [row.table, Number(row.bytes)]));
  } finally {
    await admin.end();
  }
  const jobs: ScheduledJob[] = [];
  for (const table of tables) {
    const size = sizes.get(table) ?? 0;
    for (const index of aside.indexes.filter((item) => item.table === table)) {
      jobs.push({ table, stage: 0, size, run: (client) => client.query(index.create) });
    }
    for (const index of aside.indexes.filter((item) => item.table === table && item.attach)) {
      jobs.push({ table, stage: 1, size, run: (client) => client.query(index.attach!) });
    }
    for (const constraint of aside.constraints.filter((item) => unquoted(item.table) === table && !/ NOT VALID$/.test(item.definition))) {
      jobs.push({ table, stage: 1, size, run: (client) => client.query(`ALTER TABLE ${constraint.table} VALIDATE CONSTRAINT ${quote(constraint.name)}`) });
    }
    jobs.push({ table, stage: 2, size, run: (client) => client.query(`ANALYZE ${quote(table)}`) });
  }
  await runScheduled(connect, workers, jobs, report);
}

interface ScheduledJob {
  table: string;
  /** 0: build an index (several at once per table); 1: alter or validate (alone); 2: analyse (last). */
  stage: 0 | 1 | 2;
  /** Bytes of the table: bigger tables go first. */
  size: number;
  run(client: pg.Client): Promise<unknown>;
}

/**
 * Hands each free connection the largest job that may start: a table's jobs of one stage wait
 * for all of its earlier stages, and only index builds share a table.
 */
async function runScheduled(
  connect: () => Promise<pg.Client>,
  workers: number,
  jobs: ScheduledJob[],
  report: (done: number, total: number) => void,
): Promise<void> {
  const waiting = [...jobs].sort((a, b) => b.size - a.size || a.stage - b.stage);
  const running = new Set<ScheduledJob>();
  let done = 0;
  const mayStart = (job: ScheduledJob) =>
    !waiting.some((other) => other.table === job.table && other.stage < job.stage) &&
    ![...running].some((other) => other.table === job.table && (other.stage < job.stage || job.stage > 0));
  const sleeping: (() => void)[] = [];
  const wake = () => sleeping.splice(0).forEach((resume) => resume());
  const worker = async () => {
    const client = await connect();
    try {
      await tuneForMaintenance(client);
      while (waiting.length > 0) {
        const next = waiting.find(mayStart);
        if (!next) {
          await new Promise<void>((resolve) => sleeping.push(resolve));
          continue;
        }
        waiting.splice(waiting.indexOf(next), 1);
        running.add(next);
        try {
          await next.run(client);
        } finally {
          running.delete(next);
          wake();
        }
        report((done += 1), jobs.length);
      }
    } finally {
      wake();
      await client.end();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, jobs.length)) }, worker));
}

export type Job = (client: pg.Client) => Promise<void>;

/** Runs the jobs on `workers` connections tuned for bulk work, each taking the next job when free. */
export async function inParallel(connect: () => Promise<pg.Client>, workers: number, jobs: Job[]): Promise<void> {
  const queue = [...jobs];
  const work = async () => {
    const client = await connect();
    try {
      await tuneForMaintenance(client);
      for (let job = queue.shift(); job; job = queue.shift()) await job(client);
    } finally {
      await client.end();
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, Math.max(1, queue.length)) }, work));
}

/** One core per connection: parallel workers inside one index build would only fight over the cores. */
async function tuneForMaintenance(client: pg.Client): Promise<void> {
  await client.query(`SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 0; SET statement_timeout = 0`);
}

/** A double-quoted identifier. */
function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function unquoted(name: string): string {
  return name.replace(/^"(.*)"$/, '$1').replaceAll('""', '"');
}
