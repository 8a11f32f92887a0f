import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Client port; default: a free port chosen by nats-server itself. */
  readonly port?: number;
  /** Enable JetStream with a private store directory that survives `restart()`. */
  readonly jetstream?: boolean;
  /** Path of the nats-server binary; default {@link natsServerBinary}. */
  readonly binary?: string;
  /** How long to wait for "Server is ready"; default 10000 ms. */
  readonly startTimeoutMs?: number;
}

/** A private nats-server child process for tests that must disconnect clients (never the shared server). */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>`; stays the same across restarts. */
  readonly url: string;
  readonly port: number;
  /** Whether the process is running. */
  isRunning(): boolean;
  /** Kills the process abruptly (SIGKILL, like a crash); the port and JetStream store are kept for `start()`. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (after `kill()`). */
  start(): Promise<void>;
  /** `kill()` then `start()`: every client sees a disconnect and must reconnect. */
  restart(): Promise<void>;
  /** Kills the server for good and removes its store directory. Idempotent. */
  stop(): Promise<void>;
}

const FALLBACK_BINARIES = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The nats-server binary: `NATS_SERVER_BIN`, else one on the PATH or in the usual places; undefined if none. */
export function natsServerBinary(): string | undefined {
  const fromEnv = process.env.NATS_SERVER_BIN;
  if (fromEnv) return executable(fromEnv) ? fromEnv : undefined;
  const onPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'nats-server'));
  return [...onPath, ...FALLBACK_BINARIES].find(executable);
}

/**
 * Decides whether a suite that starts its own nats-server runs: `false` when the binary exists, else a
 * skip reason. With CI=true a missing binary is an error instead: CI must never pass by skipping.
 */
export async function skipUnlessNatsServerBinary(): Promise<string | false> {
  if (natsServerBinary()) return false;
  const reason = 'nats-server binary not found; set NATS_SERVER_BIN or install nats-server';
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  process.stderr.write(`\n*** NOTICE: skipping a suite: ${reason}\n`);
  return reason;
}

// Safety net: never leave a nats-server behind when a test process dies without cleaning up.
const living = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of living) child.kill('SIGKILL');
});

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<void>;
}

function launch(binary: string, args: string[], timeoutMs: number): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    living.add(child);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    void exited.then(() => living.delete(child));
    const log: string[] = [];
    let port: number | undefined;
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`nats-server ${args.join(' ')}: ${why}\n${log.slice(-20).join('\n')}`));
    };
    const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
    let buffered = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        log.push(line);
        const listening = /Listening for client connections on .*:(\d+)\s*$/.exec(line);
        if (listening) port = Number(listening[1]);
        if (line.includes('Server is ready') && !settled) {
          settled = true;
          clearTimeout(timer);
          if (port === undefined) {
            child.kill('SIGKILL');
            reject(new Error(`nats-server did not say which port it listens on\n${log.join('\n')}`));
          } else {
            resolve({ child, port, exited });
          }
        }
      }
    });
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
  });
}

/**
 * Starts a private nats-server on 127.0.0.1 (a free port unless one is given) and resolves once it
 * accepts clients. Use it for tests that stop or restart NATS; always `stop()` it in `after`.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = options.binary ?? natsServerBinary();
  if (!binary) throw new Error('nats-server binary not found; set NATS_SERVER_BIN');
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const storeDir = options.jetstream ? mkdtempSync(join(tmpdir(), 'fh-nats-')) : undefined;
  const argsFor = (port: number) => [
    '-a',
    '127.0.0.1',
    '-p',
    String(port),
    ...(storeDir ? ['-js', '-sd', storeDir] : []),
  ];

  let current: Started | undefined = await launch(binary, argsFor(options.port ?? -1), timeoutMs);
  const port = current.port;
  let stopped = false;

  const kill = async (): Promise<void> => {
    const running = current;
    current = undefined;
    if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
    running.child.kill('SIGKILL');
    await running.exited;
  };
  const start = async (): Promise<void> => {
    if (stopped) throw new Error('this nats-server was stopped; start a new one');
    if (current) return;
    // The old listening socket can take a moment to be released; retry briefly on the same port.
    let lastError: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        current = await launch(binary, argsFor(port), timeoutMs);
        return;
      } catch (err) {
        lastError = err;
        await sleep(100);
      }
    }
    throw lastError;
  };

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    isRunning: () =>
      current !== undefined && current.child.exitCode === null && current.child.signalCode === null,
    kill,
    start,
    restart: async () => {
      await kill();
      await start();
    },
    stop: async () => {
      stopped = true;
      await kill();
      if (storeDir) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
