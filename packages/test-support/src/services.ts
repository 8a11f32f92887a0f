import { Socket } from 'node:net';

/** The local services our integration suites run against. */
export type ServiceName = 'postgres' | 'mysql' | 'nats';

const defaults: Record<ServiceName, { env: string; url: string }> = {
  postgres: { env: 'TEST_POSTGRES_URL', url: 'postgres://postgres@127.0.0.1:5432/postgres' },
  mysql: { env: 'TEST_MYSQL_URL', url: 'mysql://root@127.0.0.1:3306/mysql' },
  nats: { env: 'TEST_NATS_URL', url: 'nats://127.0.0.1:4222' },
};

/** The URL of a service for tests: its TEST_* variable, else the standard local port. */
export function serviceUrl(name: ServiceName): string {
  const d = defaults[name];
  return process.env[d.env] || d.url;
}

function reachable(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

const cache = new Map<ServiceName, Promise<string | false>>();

/**
 * Decides whether an integration suite for `name` runs. Returns `false` when the service answers,
 * else a skip reason for `describe(..., { skip })`, printed as a visible notice. With CI=true an
 * unreachable service is an error instead: CI must never pass by skipping.
 */
export function skipUnlessService(name: ServiceName): Promise<string | false> {
  let pending = cache.get(name);
  if (!pending) {
    pending = (async () => {
      const url = new URL(serviceUrl(name).split(',')[0]!);
      const port = Number(url.port) || { postgres: 5432, mysql: 3306, nats: 4222 }[name];
      if (await reachable(url.hostname, port)) return false;
      const reason = `${name} is not reachable at ${url.host}; set ${defaults[name].env} or start it`;
      if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
      process.stderr.write(`\n*** NOTICE: skipping the ${name} suite: ${reason}\n`);
      return reason;
    })();
    cache.set(name, pending);
  }
  return pending;
}
