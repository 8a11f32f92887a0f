import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { openDatabase, transfer } from '@fh/mr';
import { AppError, ConfigError, loadConfig } from '@fh/service-kit';

// `featurehub export --to <file>` and `featurehub import --from <file>`: flags as code against the database the
// usual configuration names (DB_URL, --db-url, --config). `featurehub import --from <url>` reads a running
// FeatureHub through its admin API first (all of it, validated like a file) and then writes it one application
// at a time, so an interrupted run keeps what it finished and a re-run continues. Exit codes: 0 done, 1 failed,
// 2 bad input (usage, configuration, a malformed or conflicting file, an unreachable or refusing source) with a
// message that says what and where.

export const TRANSFER_USAGE = `usage: featurehub export --to <file.yaml|file.json|-> [--application <id or name>] [--include-keys] [--include-people] [--format yaml|json] [--db-url URL] [--config FILE]
       featurehub import --from <file.yaml|file.json|-> [--dry-run] [--prune] [--db-url URL] [--config FILE]
       featurehub import --from <http(s)://running-featurehub> (--token <admin token> | --email <e> --password <p>) [--dry-run] [--prune] [--db-url URL] [--config FILE]
         (the token and password may also come from FEATUREHUB_TOKEN and FEATUREHUB_PASSWORD)`;

const SWITCHES = new Set(['include-keys', 'include-people', 'dry-run', 'prune']);
const OWN = new Set(['to', 'from', 'application', 'format', 'token', 'email', 'password']);

class UsageError extends Error {}

interface Io {
  out(text: string): void;
  err(text: string): void;
  stdin(): string;
  /** whether stderr is a terminal (a progress bar) or not (one line per phase) */
  errIsTty?: boolean;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  stdin: () => readFileSync(0, 'utf8'),
  errIsTty: process.stderr.isTTY === true,
};

function split(argv: readonly string[]): { own: Map<string, string>; switches: Set<string>; rest: string[] } {
  const own = new Map<string, string>();
  const switches = new Set<string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0]! : '';
    if (SWITCHES.has(name)) {
      switches.add(name);
    } else if (OWN.has(name)) {
      const eq = arg.indexOf('=');
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (value.startsWith('--') && eq < 0))
        throw new UsageError(`--${name} needs a value`);
      own.set(name, value);
    } else {
      rest.push(arg);
    }
  }
  return { own, switches, rest };
}

/** Runs `featurehub export|import ...` and answers the exit code. */
export async function runTransferCommand(
  command: 'export' | 'import',
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: Io = processIo,
): Promise<number> {
  let parsed: ReturnType<typeof split>;
  let config: ReturnType<typeof loadConfig>;
  try {
    parsed = split(argv);
    config = loadConfig('mr', parsed.rest, env);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      io.err(`featurehub ${command}: ${e.message}\n${TRANSFER_USAGE}\n`);
      return 2;
    }
    throw e;
  }
  const { own, switches } = parsed;
  if (command === 'export' && !own.has('to')) {
    io.err(`featurehub export: --to is required\n${TRANSFER_USAGE}\n`);
    return 2;
  }
  if (command === 'import' && !own.has('from')) {
    io.err(`featurehub import: --from is required\n${TRANSFER_USAGE}\n`);
    return 2;
  }
  const format = own.get('format');
  if (format !== undefined && format !== 'yaml' && format !== 'json') {
    io.err(`featurehub ${command}: --format must be yaml or json, not ${JSON.stringify(format)}\n`);
    return 2;
  }

  const database = await openDatabase(config.database);
  try {
    if (command === 'export') {
      const to = own.get('to')!;
      const doc = await transfer.exportTransferDocument(database.db, {
        application: own.get('application'),
        includeKeys: switches.has('include-keys'),
        includePeople: switches.has('include-people'),
      });
      const chosen = format ?? (to.endsWith('.json') ? 'json' : 'yaml');
      const text = transfer.formatTransferDocument(doc, chosen);
      if (to === '-') io.out(text);
      else {
        // Written beside and renamed: a reader never sees half a file.
        writeFileSync(`${to}.partial`, text, { mode: 0o600 });
        renameSync(`${to}.partial`, to);
        const apps = doc.portfolios.reduce((n, p) => n + p.applications.length, 0);
        io.err(
          `featurehub export: ${apps} application(s) written to ${to}${switches.has('include-keys') ? ' (with SDK keys: keep this file secret)' : ''}\n`,
        );
      }
      return 0;
    }

    const from = own.get('from')!;
    if (/^https?:\/\//i.test(from)) {
      return await importFromServer(
        from,
        own,
        switches,
        env,
        io,
        database,
        config.siteUrl ?? `http://localhost:${config.port || 8085}`,
      );
    }
    let text: string;
    try {
      text = from === '-' ? io.stdin() : readFileSync(from, 'utf8');
    } catch (e) {
      io.err(`featurehub import: cannot read ${from}: ${(e as Error).message}\n`);
      return 2;
    }
    const doc = transfer.parseTransferDocument(text, from === '-' ? 'stdin' : from);
    await database.migrate();
    const report = await transfer.importTransferDocument(database, doc, {
      dryRun: switches.has('dry-run'),
      prune: switches.has('prune'),
      siteUrl: config.siteUrl ?? `http://localhost:${config.port || 8085}`,
    });
    io.out(summary(report));
    return 0;
  } catch (e) {
    if (e instanceof AppError && e.status < 500) {
      io.err(`featurehub ${command}: ${e.message}\n`);
      return 2;
    }
    io.err(`featurehub ${command}: failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    await database.close();
  }
}

/** `featurehub import --from <url>`: read everything, then write it application by application. */
async function importFromServer(
  from: string,
  own: Map<string, string>,
  switches: Set<string>,
  env: Readonly<Record<string, string | undefined>>,
  io: Io,
  database: Awaited<ReturnType<typeof openDatabase>>,
  siteUrl: string,
): Promise<number> {
  const token = own.get('token') ?? env.FEATUREHUB_TOKEN;
  const email = own.get('email');
  const password = own.get('password') ?? env.FEATUREHUB_PASSWORD;
  if (!token && !(email && password)) {
    io.err(
      `featurehub import: reading ${from} needs --token, or --email and --password\n${TRANSFER_USAGE}\n`,
    );
    return 2;
  }
  const progress = new Progress(io);
  const started = Date.now();
  const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  progress.phase(`reading ${from}`);
  const read = await transfer
    .readFromServer({
      baseUrl: from,
      ...(own.has('token') || !email ? { token } : { email, password }),
      onProgress: ({ done, total }) => progress.tick('reading', done, total),
    })
    .finally(() => progress.end());
  const doc = read.document;
  const apps = doc.portfolios.reduce((n, p) => n + p.applications.length, 0);
  const envs = doc.portfolios.reduce(
    (n, p) => n + p.applications.reduce((m, a) => m + a.environments.length, 0),
    0,
  );
  progress.phase(
    `read ${doc.portfolios.length} portfolio(s), ${apps} application(s), ${envs} environment(s), ${doc.people?.length ?? 0} people in ${seconds(started)}`,
  );
  await database.migrate();
  const dryRun = switches.has('dry-run');
  const writing = Date.now();
  progress.phase(dryRun ? 'planning (dry run: nothing is written)' : 'writing');
  const report = await transfer
    .importTransferDocument(database, doc, {
      dryRun,
      prune: switches.has('prune'),
      transactions: 'per-application',
      siteUrl,
      onProgress: ({ done, total, step }) => progress.step('writing', done, total, step),
    })
    .finally(() => progress.end());
  progress.phase(`${dryRun ? 'planned' : 'written'} in ${seconds(writing)}`);
  report.skipped.unshift(...read.skipped);
  report.notes.unshift(...read.notes);
  io.out(summary(report));
  return 0;
}

/** A bar on a terminal; one plain line per phase (and per written step) otherwise. */
class Progress {
  private drawn = false;
  private last = 0;
  constructor(private readonly io: Io) {}
  phase(text: string): void {
    this.end();
    this.io.err(`featurehub import: ${text}\n`);
  }
  tick(what: string, done: number, total: number): void {
    if (!this.io.errIsTty) return;
    const now = Date.now();
    if (done < total && now - this.last < 100) return;
    this.last = now;
    this.bar(what, done, total, '');
  }
  step(what: string, done: number, total: number, step: string): void {
    if (this.io.errIsTty) this.bar(what, done, total, step);
    else this.io.err(`featurehub import: ${what} ${done}/${total}: ${step}\n`);
  }
  end(): void {
    if (this.drawn) this.io.err('\n');
    this.drawn = false;
  }
  private bar(what: string, done: number, total: number, step: string): void {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    this.io.err(
      `\r${what} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${step.slice(0, 40).padEnd(40)}`,
    );
    this.drawn = true;
  }
}

function summary(report: transfer.ImportReport): string {
  const lines = [report.dryRun ? 'dry run: nothing was written; the import would do this:' : 'imported:'];
  for (const [kind, c] of Object.entries(report.counts)) {
    if (c.created + c.updated + c.unchanged + c.archived === 0) continue;
    lines.push(
      `  ${kind.padEnd(20)} ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged${c.archived ? `, ${c.archived} archived` : ''}`,
    );
  }
  const changed = Object.values(report.counts).some((c) => c.created + c.updated + c.archived > 0);
  if (!changed)
    lines.push(
      report.dryRun ? '  nothing to change' : '  nothing changed: all of it was already here, unchanged',
    );
  for (const s of report.skipped) lines.push(`skipped: ${s}`);
  for (const n of report.notes) lines.push(`note: ${n}`);
  const registrations = report.registrations ?? [];
  if (registrations.length > 0) {
    lines.push(
      `${registrations.length} person(s) arrive without a password; each registers with their link (or signs in through SSO):`,
    );
    for (const r of registrations) lines.push(`  ${r.email} ${r.url}`);
  }
  if (!report.dryRun && report.changedEnvironments.length > 0) {
    lines.push(
      `${report.changedEnvironments.length} environment(s) changed; running MR/Dacha processes pick them up on restart (or Dacha's catch-up)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
