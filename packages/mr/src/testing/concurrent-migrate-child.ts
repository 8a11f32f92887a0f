// Child process for db/concurrent-migrate.int.test.ts: opens the database given as argv[2], says "ready",
// waits for "go" on stdin so every child starts migrating at the same moment, then migrates.
import { createInterface } from 'node:readline';
import { openDatabase } from '../db/open-database.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: concurrent-migrate-child.ts <database-url>');
const database = await openDatabase({ url });
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();
try {
  await database.migrate();
  process.stdout.write('migrated\n');
} catch (err) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
