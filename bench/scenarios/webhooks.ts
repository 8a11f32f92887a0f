// `npm run bench -- webhooks`: the webhook outbox's cost and delivery, on the built party server (SQLite), with a
// local receiver in the bench process.
// 1. Value saves through the admin API alternate between an environment with a webhook and one without; each PUT
//    is timed. The target: with a webhook, within 10 % of without (delivery is off the request path).
// 2. 200 changes in 10 s (one every 50 ms) on the environment with the webhook: all must arrive (distinct ce-ids),
//    with their delay from the save to the receiver.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRole } from '@fh/test-support';
import type { RunOptions, Scenario, ScenarioOutcome } from '../lib/scenario.ts';
import { distribution, round } from '../lib/stats.ts';

const SAVES = 400;
const TARGET_RATIO = 1.1;
const WARMUP = 20;
const BURST = 200;
const BURST_SPACING_MS = 50;

async function measure(log: (line: string) => void): Promise<ScenarioOutcome> {
  // The receiver: notes when each ce-id first arrived, and which value of TEXT it carried.
  const arrivals = new Map<string, number>();
  const arrivalOfValue = new Map<string, number>();
  let deliveries = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = performance.now();
      deliveries++;
      const id = String(req.headers['ce-id']);
      if (!arrivals.has(id)) {
        arrivals.set(id, now);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          environment: { fv: { feature: { key: string }; value: { value?: unknown } | null }[] };
        };
        const text = body.environment.fv.find((f) => f.feature.key === 'TEXT')?.value?.value;
        if (typeof text === 'string') arrivalOfValue.set(text, now);
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const dir = mkdtempSync(join(tmpdir(), 'fh-bench-webhooks-'));
  const party = await startRole('party', {
    env: { DB_URL: `sqlite:${join(dir, 'featurehub.db')}`, LOG_LEVEL: 'info', WEBHOOK_POLL_MS: '500' },
    timeoutMs: 60_000,
  });
  try {
    await party.waitUntilReady(30_000);
    const base = `${party.baseUrl}/mr-api`;
    let token = '';
    // biome-ignore lint/suspicious/noExplicitAny: a bench script reads the admin API's JSON loosely
    const call = async (method: string, path: string, body?: unknown): Promise<any> => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    token = (
      await call('POST', '/initialize', {
        organizationName: 'Bench',
        portfolio: 'Bench',
        name: 'Bench Admin',
        emailAddress: 'bench@example.com',
        password: 'bench-password-1',
      })
    ).accessToken;
    const portfolio = await call('POST', '/portfolio', { name: 'Hooks', description: '' });
    const app = await call('POST', `/portfolio/${portfolio.id}/application?includeEnvironments=true`, {
      name: 'hooks',
      description: '',
    });
    const hooked = app.environments[0];
    const plain = await call('POST', `/application/${app.id}/environment`, {
      name: 'plain',
      description: '',
    });
    await call('POST', `/application/${app.id}/features`, { key: 'TEXT', name: 'TEXT', valueType: 'STRING' });
    const env = await call('GET', `/environment/${hooked.id}?includeDetails=true`);
    await call('PUT', `/environment/${hooked.id}`, {
      ...env,
      webhookEnvironmentInfo: { 'webhook.features.enabled': 'true', 'webhook.features.endpoint': hookUrl },
    });

    const last = new Map<string, Record<string, unknown>>();
    const save = async (envId: string, value: string): Promise<number> => {
      const path = `/features/${envId}/feature/TEXT`;
      const body = last.get(envId) ?? { key: 'TEXT', locked: false };
      const started = performance.now();
      const saved = await call('PUT', path, { ...body, valueString: value });
      const took = performance.now() - started;
      last.set(envId, saved);
      return took;
    };

    // 1. saves with and without a webhook, alternating so drifting load weighs on both alike.
    const times: Record<'webhook' | 'none', number[]> = { webhook: [], none: [] };
    for (let i = 0; i < WARMUP + SAVES; i++) {
      const withHook = i % 2 === 0;
      const took = await save(withHook ? hooked.id : plain.id, `v${i}`);
      if (i >= WARMUP) times[withHook ? 'webhook' : 'none'].push(took);
    }
    const withHook = distribution(times.webhook);
    const without = distribution(times.none);
    const ratio = withHook.p50 / without.p50;
    const meanRatio = withHook.mean / without.mean;
    log(
      `value saves: p50 ratio ${round(ratio, 3)}, mean ratio ${round(meanRatio, 3)} (target ≤ ${TARGET_RATIO})`,
    );
    // Let the first phase's events drain before the burst: until nothing new arrives for a second.
    for (let seen = -1; seen !== arrivals.size; ) {
      seen = arrivals.size;
      await sleep(1000);
    }

    // 2. 200 changes in 10 s.
    const before = new Set(arrivals.keys());
    const savedAt: number[] = [];
    const burstStart = performance.now();
    for (let i = 0; i < BURST; i++) {
      const due = burstStart + i * BURST_SPACING_MS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      savedAt.push(performance.now());
      await save(hooked.id, `burst-${i}`);
    }
    const burstSeconds = (performance.now() - burstStart) / 1000;
    const deadline = Date.now() + 60_000;
    const fresh = () => [...arrivals.entries()].filter(([id]) => !before.has(id));
    while (fresh().length < BURST && Date.now() < deadline) await sleep(50);
    const arrived = fresh();
    // Each burst value's delay: from just before its PUT to the first arrival of the event carrying it.
    const lags = savedAt.flatMap((t, i) => {
      const at = arrivalOfValue.get(`burst-${i}`);
      return at === undefined ? [] : [at - t];
    });
    const lag = distribution(lags);
    const lastAfter = Math.max(...arrived.map(([, t]) => t)) - (savedAt.at(-1) ?? 0);
    log(
      `== ${BURST} changes in ${round(burstSeconds, 1)} s: ${arrived.length} arrived (distinct ce-ids, ` +
        `${lags.length} of the ${BURST} values seen), ` +
        `${deliveries} deliveries in all\nsave → receiver, ms: p50 ${lag.p50}, p95 ${lag.p95}, p99 ${lag.p99}, max ${lag.max}; ` +
        `the last arrived ${round(lastAfter)} ms after the last save`,
    );

    const details = {
      saves: {
        perEnvironment: SAVES / 2,
        withWebhook: withHook,
        without,
        p50Ratio: round(ratio, 3),
        meanRatio: round(meanRatio, 3),
      },
      burst: {
        changes: BURST,
        seconds: round(burstSeconds, 2),
        arrived: arrived.length,
        lagMs: lag,
        lastAfterMs: round(lastAfter),
      },
    };
    return {
      status: 'measured',
      table: {
        headers: ['value save (PUT), ms', 'p50', 'p95', 'p99', 'mean'],
        rows: [
          ['with webhook', withHook.p50, withHook.p95, withHook.p99, withHook.mean],
          ['without', without.p50, without.p95, without.p99, without.mean],
        ],
      },
      targets: [
        {
          target: `a save with a webhook within ${Math.round((TARGET_RATIO - 1) * 100)} % of one without (p50)`,
          measured: `p50 ratio ${round(ratio, 3)}, mean ratio ${round(meanRatio, 3)}`,
          met: ratio <= TARGET_RATIO,
        },
        {
          target: `${BURST} changes in ${(BURST * BURST_SPACING_MS) / 1000} s all arrive`,
          measured: `${arrived.length} of ${BURST} arrived; save → receiver p50 ${lag.p50} ms, p99 ${lag.p99} ms`,
          met: arrived.length === BURST,
        },
      ],
      details,
    };
  } finally {
    await party.stop();
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export const webhooks: Scenario = {
  name: 'webhooks',
  description:
    'value saves with and without an environment webhook (delivery off the request path), then 200 changes in 10 s through the durable outbox',
  run: (options: RunOptions) => measure(options.log),
};
