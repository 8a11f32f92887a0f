// Request/reply over a child process's IPC channel, so the orchestrator can drive a server or load
// generator in its own process (the machine has 2 cores: one event loop each, nothing shared).
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const repoRoot = resolve(benchRoot, '..');

interface Request {
  readonly id: number;
  readonly type: string;
  readonly payload: unknown;
}

type Reply = { readonly id: number; readonly ok: true; readonly result: unknown } | ErrorReply;
interface ErrorReply {
  readonly id: number;
  readonly ok: false;
  readonly error: string;
}

/** A child process running one of `bench/processes/*.ts`, answering typed requests. */
export class BenchProcess {
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #nextId = 1;
  readonly #exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (message: Reply) => {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new Error(`${name}: ${message.error}`));
    });
    this.#exited = new Promise((resolveExit) => {
      child.on('exit', (code) => {
        for (const p of this.#pending.values()) p.reject(new Error(`${name} exited with ${code}`));
        this.#pending.clear();
        resolveExit(code);
      });
    });
  }

  /** Starts `bench/processes/<file>` under tsx; `nodeArgs` go before the script (e.g. --expose-gc). */
  static start(file: string, options: { nodeArgs?: string[]; env?: Record<string, string> } = {}) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', ...(options.nodeArgs ?? []), resolve(benchRoot, 'processes', file)],
      {
        cwd: repoRoot,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    return new BenchProcess(file, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request<T>(type: string, payload: unknown = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolveReply, reject) => {
      this.#pending.set(id, { resolve: resolveReply as (v: unknown) => void, reject });
      const message: Request = { id, type, payload };
      this.child.send(message);
    });
  }

  /** Asks the process to stop (it closes its servers and exits); kills it if it does not. */
  async stop(timeoutMs = 15000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    this.request('stop').catch(() => undefined);
    await this.#exited;
    clearTimeout(timer);
  }
}

export type Handler = (payload: never) => unknown;

/**
 * Child side: answers requests with `handlers[type](payload)`. `stop` is answered, then the handler
 * (if any) runs and the process exits normally, so `--cpu-prof` profiles get written.
 */
export function serveRequests(handlers: Record<string, Handler>): void {
  if (process.send === undefined) throw new Error('bench processes must be started with an IPC channel');
  const send = (reply: Reply) => process.send?.(reply);
  process.on('message', async (message: Request) => {
    const handler = handlers[message.type];
    if (message.type === 'stop') {
      try {
        await (handler as ((p: unknown) => unknown) | undefined)?.(message.payload);
      } finally {
        send({ id: message.id, ok: true, result: null });
        process.disconnect?.();
        setImmediate(() => process.exit(0));
      }
      return;
    }
    if (handler === undefined) {
      send({ id: message.id, ok: false, error: `unknown request ${message.type}` });
      return;
    }
    try {
      const result = await (handler as (p: unknown) => unknown)(message.payload);
      send({ id: message.id, ok: true, result: result ?? null });
    } catch (err) {
      send({
        id: message.id,
        ok: false,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    }
  });
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes here. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
