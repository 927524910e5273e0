import type { Kysely } from 'kysely';
import type { DB, Role } from '../db/schema.ts';
import { demoPassword, hashPassword } from './passwords.ts';
import { currentGridsOf, firstAssignedCollector, insertDemoUserIfNew } from './repository.ts';

export interface DemoUser {
  username: string;
  role: Role;
  displayName: string;
  jurisdiction: string[];
  collectorId: number | null;
}

/**
 * One user per role for the demo city, and a second admin: granting a role that reads person
 * data takes two admins (server/users), so the demo can show an approval. Leader, planner and
 * police see the whole district; the collector sees the grids of the collector they are linked to.
 */
export async function demoUsersFor(db: Kysely<DB>, districtCode: string): Promise<DemoUser[]> {
  const collector = await firstAssignedCollector(db);
  const collectorGrids = collector ? await currentGridsOf(db, collector.collector_id) : [];
  return [
    { username: 'leader', role: 'leader', displayName: '区领导（演示）', jurisdiction: [districtCode], collectorId: null },
    { username: 'planner', role: 'planner', displayName: '综治规划员（演示）', jurisdiction: [districtCode], collectorId: null },
    { username: 'police', role: 'police', displayName: '社区民警（演示）', jurisdiction: [districtCode], collectorId: null },
    { username: 'collector', role: 'collector', displayName: '网格采集员（演示）', jurisdiction: collectorGrids, collectorId: collector?.collector_id ?? null },
    { username: 'admin', role: 'admin', displayName: '系统管理员（演示）', jurisdiction: [districtCode], collectorId: null },
    { username: 'admin2', role: 'admin', displayName: '安全保密管理员（演示）', jurisdiction: [districtCode], collectorId: null },
    { username: 'auditor', role: 'auditor', displayName: '审计员（演示）', jurisdiction: [districtCode], collectorId: null },
  ];
}

export async function insertDemoUsers(db: Kysely<DB>, users: DemoUser[]): Promise<void> {
  for (const user of users) {
    await insertDemoUserIfNew(db, {
      username: user.username,
      display_name: user.displayName,
      role: user.role,
      password_hash: await hashPassword(demoPassword(user.username)),
      jurisdiction: user.jurisdiction,
      collector_id: user.collectorId,
      is_demo: true,
    });
  }
}
