// `npm run bench [-- <scenario>...] [--duration S] [--connections N] [--cpu-prof] [--variant TEXT]`
// Runs each scenario (servers and load in their own processes), prints a table per scenario and
// writes bench/results/latest.json (a partial run replaces only the scenarios it ran).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { benchRoot, repoRoot } from './lib/ipc.ts';
import { machineInfo } from './lib/machine.ts';
import type { RunOptions, Scenario, ScenarioOutcome } from './lib/scenario.ts';
import { table } from './lib/stats.ts';
import { edgePolling } from './scenarios/edge-polling.ts';
import { mrToSse } from './scenarios/mr-to-sse.ts';
import { openFeature } from './scenarios/openfeature.ts';
import { edgeRestPolling, scaleOutSse } from './scenarios/scale-out.ts';
import { sseFanout } from './scenarios/sse-fanout.ts';
import { webhooks } from './scenarios/webhooks.ts';

const SCENARIOS: readonly Scenario[] = [
  edgePolling,
  sseFanout,
  mrToSse,
  scaleOutSse,
  edgeRestPolling,
  openFeature,
  webhooks,
];

interface ResultsFile {
  machine: ReturnType<typeof machineInfo>;
  scenarios: Record<
    string,
    ScenarioOutcome & { date: string; seconds: number; loadAverage1m: object; options: object }
  >;
}

function parseArgs(argv: readonly string[]): { names: string[]; options: Omit<RunOptions, 'log'> } {
  const names: string[] = [];
  let durationSeconds = 10;
  let connections = 50;
  let cpuProf = false;
  let variant: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${arg} needs a positive number`);
      return v;
    };
    if (arg === '--duration') durationSeconds = value();
    else if (arg === '--connections') connections = Math.trunc(value());
    else if (arg === '--cpu-prof') cpuProf = true;
    else if (arg === '--variant') variant = argv[++i];
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else names.push(arg);
  }
  for (const n of names) {
    if (!SCENARIOS.some((s) => s.name === n))
      throw new Error(`unknown scenario ${n}; expected one of ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return { names, options: { durationSeconds, connections, cpuProf, variant } };
}

async function main(): Promise<void> {
  const { names, options } = parseArgs(process.argv.slice(2));
  const selected = names.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => names.includes(s.name));
  const machine = machineInfo();
  console.log(
    `bench on ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ulimit -n ${machine.openFilesLimit}`,
  );
  const resultsDir = resolve(benchRoot, 'results');
  const resultsFile = resolve(resultsDir, 'latest.json');
  mkdirSync(resultsDir, { recursive: true });
  const results: ResultsFile = existsSync(resultsFile)
    ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as ResultsFile)
    : { machine, scenarios: {} };
  results.machine = machine;

  let failed = false;
  for (const scenario of selected) {
    console.log(`\n== ${scenario.name}: ${scenario.description}`);
    const started = Date.now();
    // Other work on this 2-core machine moves the numbers: say how busy it was.
    const loadBefore = loadavg()[0] ?? 0;
    let outcome: ScenarioOutcome;
    try {
      outcome = await scenario.run({ ...options, log: (line) => console.log(line) });
    } catch (err) {
      failed = true;
      console.error(`${scenario.name} failed:`, err);
      continue;
    }
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    if (outcome.status === 'not-run') {
      console.log(`not run: ${outcome.reason}`);
    } else {
      console.log(table(outcome.table.headers, outcome.table.rows));
    }
    for (const t of outcome.targets) {
      const verdict = t.met === undefined ? 'NOT MEASURED' : t.met ? 'MET' : 'MISSED';
      console.log(`  [${verdict}] ${t.target}: ${t.measured}`);
    }
    const load = {
      before: Math.round(loadBefore * 100) / 100,
      after: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    };
    console.log(`  (${seconds} s; 1-minute load average ${load.before} before, ${load.after} after)`);
    results.scenarios[scenario.name] = {
      ...outcome,
      date: new Date().toISOString(),
      seconds,
      loadAverage1m: load,
      options,
    };
    writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  }
  // The results file is committed: leave it as the repository's formatter would.
  spawnSync(resolve(repoRoot, 'node_modules/.bin/biome'), ['format', '--write', resultsFile], {
    cwd: repoRoot,
    stdio: 'ignore',
  });
  console.log(`\nresults: ${resultsFile}`);
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
