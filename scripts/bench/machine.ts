/** The machine a bench ran on: what a figure means depends on it, and on what else was running. */
import fs from 'node:fs';
import os from 'node:os';
import type pg from 'pg';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  postgres: string;
  postgis: string;
  /** 1, 5 and 15 minute load averages when the bench started and ended (other jobs share the cores). */
  loadAverage: { before: number[]; after?: number[] };
  /** uptime(1)'s line at start and end. */
  uptime: { before: string; after?: string };
}

export async function describeMachine(client: pg.Client): Promise<Machine> {
  const versions = await client.query<{ postgres: string; postgis: string }>(
    `SELECT current_setting('server_version') AS postgres, postgis_full_version() AS postgis`,
  );
  const postgis = /POSTGIS="([^"]+)"/.exec(versions.rows[0]!.postgis)?.[1] ?? versions.rows[0]!.postgis;
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: versions.rows[0]!.postgres,
    postgis,
    loadAverage: { before: loadAverage() },
    uptime: { before: uptimeLine() },
  };
}

export function noteEnd(machine: Machine): void {
  machine.loadAverage.after = loadAverage();
  machine.uptime.after = uptimeLine();
}

function loadAverage(): number[] {
  return os.loadavg().map((value) => Math.round(value * 100) / 100);
}

/** Like uptime(1): time, up, users are not ours to report; the load averages are. */
function uptimeLine(): string {
  const [one, five, fifteen] = loadAverage();
  const up = fs.existsSync('/proc/uptime') ? Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]) : os.uptime();
  return `${new Date().toISOString()} up ${Math.round(up / 60)} min, load average: ${one}, ${five}, ${fifteen}`;
}
