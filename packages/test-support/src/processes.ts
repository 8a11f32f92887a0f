import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { staleBuildReason } from '../../../scripts/lib/build-freshness.mjs';

/** The repository root, for tests that start the `featurehub` command. */
export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The `featurehub` command as users run it (`npm start`, `npx featurehub`): the bin over the esbuild bundle. */
export const featurehubBin = resolve(repoRoot, 'apps/server/bin/featurehub.js');

let buildChecked = false;
/** Refuses to test a stale bundle: the tests must run the code they are read against. */
function assertBuildFresh(): void {
  if (buildChecked) return;
  const stale = staleBuildReason(repoRoot);
  if (stale) {
    throw new Error(
      `the built featurehub command is stale (${stale}): run \`npm run build\` (node scripts/test.mjs builds it for you)`,
    );
  }
  buildChecked = true;
}

export interface RunningRole {
  readonly process: ChildProcess;
  readonly port: number;
  readonly baseUrl: string;
  /** Every line the process wrote to stdout and stderr so far (JSON logs), for assertions and debugging. */
  readonly output: string[];
  /** Sends a signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves once `/health/readiness` answers 200. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
}

/**
 * Starts the built `featurehub <role>` command (the same entry `npm start` uses) on a random port and resolves
 * once it listens.
 * The environment is the caller's plus `env`; PORT defaults to 0.
 */
export async function startRole(
  role: string,
  options: {
    env?: Record<string, string | undefined>;
    args?: string[];
    timeoutMs?: number;
    cwd?: string;
  } = {},
): Promise<RunningRole> {
  assertBuildFresh();
  const child = spawn(process.execPath, [featurehubBin, role, ...(options.args ?? [])], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `featurehub ${role} did not listen within ${options.timeoutMs ?? 20000} ms:\n${output.join('\n')}`,
          ),
        ),
      options.timeoutMs ?? 20000,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolvePort(entry.port);
        }
      } catch {
        // not a log line
      }
    });
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`featurehub ${role} exited with ${code} before listening:\n${output.join('\n')}`));
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    process: child,
    port,
    baseUrl,
    output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = await exited;
      return code;
    },
    async waitUntilReady(timeoutMs = 15000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        try {
          const r = await fetch(`${baseUrl}/health/readiness`);
          last = await r.text();
          if (r.status === 200) return;
        } catch (e) {
          last = String(e);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`featurehub ${role} not ready within ${timeoutMs} ms: ${last}\n${output.join('\n')}`);
    },
  };
}

/** Runs the built `featurehub` command to completion and returns its exit code and output. */
export async function runRoleToExit(
  role: string,
  options: { env?: Record<string, string | undefined>; args?: string[] } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  assertBuildFresh();
  const child = spawn(process.execPath, [featurehubBin, role, ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
