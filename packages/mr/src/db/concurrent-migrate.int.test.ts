import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, skipUnlessService, type TestDialect } from '@fh/test-support';
import { migrationsFor } from './migrations.ts';
import { openDatabase } from './open-database.ts';
import { tableNames } from './schema.ts';

const childScript = fileURLToPath(new URL('../testing/concurrent-migrate-child.ts', import.meta.url));
const PROCESSES = 3;

function start(url: string): {
  child: ChildProcess;
  ready: Promise<void>;
  exit: Promise<{ code: number; err: string }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, url], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', () => reject(new Error(`child exited before it was ready: ${err}`)));
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exit = once(child, 'exit').then(([code]) => ({ code: code as number, err }));
  return { child, ready, exit };
}

async function migrateConcurrently(dialect: TestDialect) {
  const fresh = await createTestDatabase(dialect);
  try {
    const children = Array.from({ length: PROCESSES }, () => start(fresh.url));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin!.end('go\n');
    const results = await Promise.all(children.map((c) => c.exit));
    for (const r of results) assert.equal(r.code, 0, `a migrating process failed:\n${r.err}`);

    const database = await openDatabase({ url: fresh.url });
    try {
      assert.equal(await database.isMigrated(), true);
      const tables = new Set((await database.db.introspection.getTables()).map((t) => t.name));
      for (const name of tableNames) assert.ok(tables.has(name), `table ${name} is missing`);
      const applied = await database.db
        .selectFrom('kysely_migration' as never)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(applied.n), Object.keys(migrationsFor(dialect)).length, 'each migration once');
      await database.migrate(); // and once more, now that it is done
    } finally {
      await database.close();
    }
  } finally {
    await fresh.drop();
  }
}

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  const skip = dialect === 'sqlite' ? false : await skipUnlessService(dialect);
  describe(`migrations on ${dialect}`, { skip }, () => {
    it(`${PROCESSES} processes migrating the same brand-new database at once all succeed`, async () => {
      await migrateConcurrently(dialect);
    });
  });
}
