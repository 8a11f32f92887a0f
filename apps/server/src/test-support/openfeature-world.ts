// Test-only: the roles that serve SDKs (party, a separate edge, party-server-ish, edge-rest), each the
// built `featurehub` command, over one PostgreSQL database and a private nats-server, with features
// made through MR's admin API: what the OpenFeature tests (OFREP clients, our provider) run against.
import type { MrClient } from '@fh/mr/testing';
import {
  type NatsServer,
  type RunningRole,
  startNatsServer,
  startRole,
  type TestDatabase,
} from '@fh/test-support';
import {
  createMigratedDatabase,
  createPortfolioApplication,
  createSdkAccount,
  initializeOrganisation,
  ok,
} from './admin-setup.ts';

/** A strategy as the admin API takes it (percentage on the 1,000,000 scale). */
export interface AdminStrategy {
  id?: string;
  name: string;
  percentage?: number;
  percentageAttributes?: string[];
  attributes?: { conditional: string; fieldName: string; type: string; values: unknown[] }[];
  value?: unknown;
}

export type ValueField = 'valueBoolean' | 'valueString' | 'valueNumber' | 'valueJson';

/** The features every world starts with. */
export const WORLD_FEATURES: readonly {
  key: string;
  valueType: 'BOOLEAN' | 'STRING' | 'NUMBER' | 'JSON';
  field: ValueField;
  value: unknown;
  strategies?: AdminStrategy[];
}[] = [
  { key: 'FLAG', valueType: 'BOOLEAN', field: 'valueBoolean', value: true },
  {
    key: 'COLOUR',
    valueType: 'STRING',
    field: 'valueString',
    value: 'red',
    strategies: [
      {
        id: 'nz',
        name: 'nz',
        value: 'nz',
        attributes: [
          { conditional: 'EQUALS', fieldName: 'country', type: 'STRING', values: ['new_zealand'] },
        ],
      },
      { id: 'blue20', name: 'blue20', percentage: 200000, value: 'blue' },
    ],
  },
  { key: 'NUM', valueType: 'NUMBER', field: 'valueNumber', value: 42.5 },
  { key: 'CONFIG', valueType: 'JSON', field: 'valueJson', value: '{"size":3,"tags":["a"]}' },
  { key: 'BANNER', valueType: 'STRING', field: 'valueString', value: 'hello' },
];

export type WorldRole = 'party' | 'edge' | 'party-ish' | 'edge-rest';

export interface OpenFeatureWorld {
  readonly database: TestDatabase;
  readonly nats: NatsServer;
  readonly roles: Readonly<Record<WorldRole, RunningRole | undefined>>;
  readonly admin: MrClient;
  readonly environmentId: string;
  /** `environmentId/serviceKey` of the account's server-evaluated key. */
  readonly serverKey: string;
  /** `environmentId/serviceKey` of the account's client-evaluated key. */
  readonly clientKey: string;
  /** Saves a feature's default value (and keeps its strategies) through MR's admin API. */
  setValue(key: string, value: unknown): Promise<void>;
  /** Saves a feature's value with these strategies. */
  setStrategies(key: string, value: unknown, strategies: AdminStrategy[]): Promise<void>;
  /** Creates another feature with a value. */
  addFeature(key: string, valueType: string, field: ValueField, value: unknown): Promise<void>;
  /** Starts another role process on the world's database and bus; stopped by close(). */
  start(role: string, env?: Record<string, string>): Promise<RunningRole>;
  close(): Promise<void>;
}

/** Starts party (with NATS) and whichever other roles are asked for, and creates the world's data. */
export async function startOpenFeatureWorld(
  want: readonly WorldRole[] = ['party', 'edge', 'party-ish', 'edge-rest'],
): Promise<OpenFeatureWorld> {
  const nats = await startNatsServer();
  const database = await createMigratedDatabase('postgres');
  const env = {
    DB_URL: database.url,
    NATS_URL: nats.url,
    CACHE_TIMEOUT_MS: '400',
    CACHE_CATCH_UP_SECONDS: '1',
    EDGE_SSE_DROP_AFTER_SECONDS: '300',
    LOG_LEVEL: process.env.FH_TEST_LOG_LEVEL ?? 'info',
  };
  const running: RunningRole[] = [];
  const start = async (role: string, extra: Record<string, string> = {}) => {
    const r = await startRole(role, { env: { ...env, ...extra }, timeoutMs: 30_000 });
    running.push(r);
    return r;
  };
  try {
    const party = await start('party');
    await party.waitUntilReady(20_000);
    const { admin } = await initializeOrganisation(party.baseUrl, {
      organizationName: 'OpenFeature Org',
      portfolio: 'OpenFeature Portfolio',
    });
    const { portfolio, app, environmentId } = await createPortfolioApplication(admin, 'Apps', 'Shop');
    const account = await createSdkAccount(admin, portfolio.id, environmentId, ['READ']);
    const fields = new Map<string, ValueField>();
    const held = new Map<string, Record<string, unknown>>();
    const save = async (key: string, change: Record<string, unknown>) => {
      const path = `/features/${environmentId}/feature/${key}`;
      const field = fields.get(key)!;
      let base = held.get(key);
      if (base === undefined) {
        // A new flag starts locked in every environment: base the first save on what MR holds.
        const current = await admin.get(path);
        base = current.status === 200 ? (current.body as Record<string, unknown>) : { key };
      }
      let res = await admin.put(path, { ...base, locked: false, ...change });
      if (res.status === 409) {
        base = ok(await admin.get(path), `current ${key}`);
        res = await admin.put(path, { ...base, locked: false, ...change });
      }
      held.set(key, ok(res, `set ${key} ${field}`));
    };
    const addFeature = async (key: string, valueType: string, field: ValueField, value: unknown) => {
      ok(
        await admin.post(`/application/${app.id}/features`, { key, name: key, valueType }),
        `feature ${key}`,
      );
      fields.set(key, field);
      await save(key, { [field]: value });
    };
    for (const f of WORLD_FEATURES) {
      await addFeature(f.key, f.valueType, f.field, f.value);
      if (f.strategies !== undefined)
        await save(f.key, { [f.field]: f.value, rolloutStrategies: f.strategies });
    }
    const roles: Record<WorldRole, RunningRole | undefined> = {
      party,
      edge: undefined,
      'party-ish': undefined,
      'edge-rest': undefined,
    };
    if (want.includes('edge')) {
      // The party's Dacha answers only its own Edge, and its MR only its own Dacha: a separate edge
      // asks a Dacha over NATS, which fills from an MR over NATS (on the same database; changes saved
      // through the party reach it as the party publishes them on NATS).
      const mr = await start('mr');
      await mr.waitUntilReady(20_000);
      const dacha = await start('dacha');
      await dacha.waitUntilReady(20_000);
    }
    const others = await Promise.all(
      want
        .filter((r) => r !== 'party')
        .map(async (r) => {
          const extra: Record<string, string> =
            r === 'edge'
              ? {}
              : r === 'edge-rest'
                ? { NATS_URL: '', DB_REPLICA_URL: database.url }
                : { NATS_URL: '' };
          const role = await start(r, extra);
          await role.waitUntilReady(20_000);
          return [r, role] as const;
        }),
    );
    for (const [r, role] of others) roles[r] = role;
    return {
      database,
      nats,
      roles,
      admin,
      environmentId,
      serverKey: `${environmentId}/${account.apiKeyServerSide}`,
      clientKey: `${environmentId}/${account.apiKeyClientSide}`,
      setValue: (key, value) => save(key, { [fields.get(key)!]: value }),
      setStrategies: (key, value, strategies) =>
        save(key, { [fields.get(key)!]: value, rolloutStrategies: strategies }),
      addFeature,
      start,
      async close() {
        await Promise.all(running.map((r) => r.stop('SIGKILL')));
        await nats.stop();
        await database.drop();
      },
    };
  } catch (err) {
    await Promise.all(running.map((r) => r.stop('SIGKILL')));
    await nats.stop();
    await database.drop();
    throw err;
  }
}
