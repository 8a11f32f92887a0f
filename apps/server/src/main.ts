import { ConfigError, loadConfig, ROLES, type Role } from '@fh/service-kit';
import { runRole } from './run-role.ts';
import { runTransferCommand, TRANSFER_USAGE } from './transfer-command.ts';

const USAGE = `usage: featurehub <role> [--port N] [--db-url URL] [--nats-url URLS] [--cache-name NAME] [--log-level LEVEL] [--config FILE]
roles: ${ROLES.join(', ')}
${TRANSFER_USAGE}`;

async function main(argv: readonly string[]): Promise<void> {
  const [role, ...rest] = argv;
  if (role === undefined || role === '--help' || role === '-h') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(role === undefined ? 2 : 0);
  }
  if (role === 'export' || role === 'import') {
    const code = await runTransferCommand(role, rest, process.env);
    // A pipe takes stdout asynchronously: exiting at once would cut off a large export sent to stdout.
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
    process.exit(code);
  }
  if (!(ROLES as readonly string[]).includes(role)) {
    process.stderr.write(
      `featurehub: unknown role ${JSON.stringify(role)}; expected one of ${ROLES.join(', ')}\n`,
    );
    process.exit(2);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(role as Role, rest, process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`featurehub: invalid configuration: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  await runRole(config);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // Settings a role reads while composing (single sign-on's upstream keys) fail as configuration too.
  if (err instanceof ConfigError) {
    process.stderr.write(`featurehub: invalid configuration: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`featurehub: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
