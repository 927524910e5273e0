import { openDatabase } from '/work/main/server/db/connection.ts';
import { migrateToLatest } from '/work/main/server/db/migrator.ts';
import { sql } from 'kysely';
let t0 = Date.now();
const h = await openDatabase({ pgliteDir: process.argv[2] ?? 'memory://', databaseUrl: process.env.DATABASE_URL });
console.log('open', Date.now() - t0); t0 = Date.now();
await migrateToLatest(h.db as any); console.log('migrate', Date.now() - t0); t0 = Date.now();
const r = await sql`select * from unnest(${['a', null, 'c"d,{}']}::text[], ${[1, 2, null]}::int[], ${[true, false, null]}::bool[], ${['2024-01-02', null, '2024-02-03']}::date[], ${[1.5,2,3]}::float8[]) as t(a,b,c,d,e)`.execute(h.db);
console.log(r.rows);
await sql`create temp table x (a text, b int, c bool, d text, e float8)`.execute(h.db);
const n = 200000;
const a = Array.from({length:n}, (_, i) => 'code' + i), b = Array.from({length:n}, (_, i) => i), c = Array.from({length:n}, (_, i) => i%2===0), d = Array.from({length:n}, (_, i) => 'some longer text 地址 ' + i);
t0 = Date.now();
for (let s = 0; s < n; s += 10000) {
  await sql`insert into x select * from unnest(${a.slice(s, s+10000)}::text[], ${b.slice(s, s+10000)}::int[], ${c.slice(s, s+10000)}::bool[], ${d.slice(s, s+10000)}::text[], ${b.slice(s, s+10000)}::float8[])`.execute(h.db);
}
console.log('insert 200k', Date.now() - t0);
await h.close();
