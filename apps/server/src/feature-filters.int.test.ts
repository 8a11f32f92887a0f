import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipUnlessNatsServerBinary, skipUnlessService, type TestDialect, until } from '@fh/test-support';
import {
  type FilteredClient,
  type FiltersTopology,
  type FiltersWorld,
  filteredClient,
  startFiltersWorld,
} from './test-support/filters-world.ts';

// Feature filters and extended data (API 1.2.6; docs/feature-filters-and-extended-data.md) through the built
// `featurehub` command and real featurehub-javascript-node-sdk@1.4.0 clients of both key kinds, over SSE and
// polling: on the party server (SQLite, PostgreSQL, MySQL), on MR + Dacha + Edge as separate processes over
// NATS, and on party-ish (Edge-REST: polling on the database). The tests of one topology run in order.

const MOBILE_START = ['MOBILE_ONLY', 'SHOES'];
const EVERYTHING = ['MOBILE_ONLY', 'SERVER_ONLY', 'SHOES', 'UNTAGGED'];

const same = (client: FilteredClient, keys: string[]) =>
  JSON.stringify(client.keys()) === JSON.stringify([...keys].sort());

interface Case {
  name: string;
  topology: FiltersTopology;
  dialect: TestDialect;
  skip: string | false;
}

const cases: Case[] = [
  { name: 'the party server on SQLite', topology: 'party', dialect: 'sqlite', skip: false },
  { name: 'party-ish (Edge-REST) on SQLite', topology: 'party-ish', dialect: 'sqlite', skip: false },
  {
    name: 'the party server on PostgreSQL',
    topology: 'party',
    dialect: 'postgres',
    skip: await skipUnlessService('postgres'),
  },
  {
    name: 'the party server on MySQL',
    topology: 'party',
    dialect: 'mysql',
    skip: await skipUnlessService('mysql'),
  },
  {
    name: 'MR, Dacha and Edge over NATS on PostgreSQL',
    topology: 'nats',
    dialect: 'postgres',
    skip: (await skipUnlessService('postgres')) || (await skipUnlessNatsServerBinary()),
  },
];

for (const c of cases) {
  describe(`feature filters and extended data: ${c.name}`, { skip: c.skip }, () => {
    const sse = c.topology !== 'party-ish';
    let world: FiltersWorld;
    let mobile: FilteredClient[];
    let all: FilteredClient[];

    /** What a raw poll of a key answers: the features by key. */
    async function poll(apiKey: string): Promise<Map<string, Record<string, unknown>>> {
      const res = await fetch(`${world.edgeUrl}/features?apiKey=${encodeURIComponent(apiKey)}`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as Array<{ features: Array<Record<string, unknown>> }>;
      return new Map(body[0]!.features.map((f) => [f.key as string, f]));
    }

    before(async () => {
      world = await startFiltersWorld(c.topology, c.dialect);
      mobile = [
        filteredClient('mobile polling server-eval', world.edgeUrl, world.keys.mobileServer, { pollMs: 100 }),
        filteredClient('mobile polling client-eval', world.edgeUrl, world.keys.mobileClient, { pollMs: 100 }),
      ];
      all = [filteredClient('all polling client-eval', world.edgeUrl, world.keys.allClient, { pollMs: 100 })];
      if (sse) {
        mobile.push(
          filteredClient('mobile sse client-eval', world.edgeUrl, world.keys.mobileClient),
          filteredClient('mobile sse server-eval', world.edgeUrl, world.keys.mobileServer),
        );
        all.push(filteredClient('all sse server-eval', world.edgeUrl, world.keys.allServer));
      }
      await Promise.all([...mobile, ...all].map((client) => client.ready));
    });
    after(async () => {
      await world?.close();
    });

    it('a key whose account has filters gets only the features sharing one; a key without filters gets all', async () => {
      for (const client of mobile)
        await until(`${client.name}: ${MOBILE_START}`, () => same(client, MOBILE_START));
      for (const client of all) await until(`${client.name}: every feature`, () => same(client, EVERYTHING));
      assert.deepEqual([...(await poll(world.keys.mobileServer)).keys()].sort(), MOBILE_START);
      assert.deepEqual([...(await poll(world.keys.mobileClient)).keys()].sort(), MOBILE_START);
      assert.deepEqual([...(await poll(world.keys.allServer)).keys()].sort(), EVERYTHING);
    });

    it('fp (sdk.feature.properties) reaches only keys whose account holds EXTENDED_DATA', async () => {
      const shoes = { appName: 'Shop', portfolio: 'Retail', category: 'shoes' };
      for (const client of all) {
        await until(`${client.name}: fp of SHOES`, () => client.properties('SHOES')?.category === 'shoes');
        assert.deepEqual(client.properties('SHOES'), shoes, client.name);
        assert.deepEqual(
          client.properties('UNTAGGED'),
          { appName: 'Shop', portfolio: 'Retail' },
          client.name,
        );
      }
      for (const client of mobile) assert.equal(client.properties('SHOES'), undefined, client.name);
      for (const f of (await poll(world.keys.mobileClient)).values()) assert.equal(f.fp, undefined);
      assert.deepEqual((await poll(world.keys.allClient)).get('SHOES')?.fp, shoes);

      // Upstream's @extended-data scenario: new metadata without the category drops that property.
      await world.setMetadata('SHOES', '{"kebabFlavour":"lamb"}');
      for (const client of all) {
        await until(
          `${client.name}: fp without category`,
          () => client.properties('SHOES')?.category === undefined,
        );
        assert.deepEqual(client.properties('SHOES'), { appName: 'Shop', portfolio: 'Retail' }, client.name);
      }
    });

    it(`after a feature's filters change, filtered keys gain or lose it${sse ? ' on their live SSE streams' : ''}, and never see an unfiltered one`, async () => {
      for (const client of mobile) assert.ok(!client.everHeld.has('SERVER_ONLY'), client.name);
      await world.setFeatureFilters('SERVER_ONLY', [world.filters.mobile, world.filters.server]);
      for (const client of mobile) {
        await until(`${client.name}: gains SERVER_ONLY`, () =>
          same(client, [...MOBILE_START, 'SERVER_ONLY']),
        );
      }
      await world.setFeatureFilters('MOBILE_ONLY', [world.filters.server]);
      for (const client of mobile) {
        await until(`${client.name}: loses MOBILE_ONLY`, () => same(client, ['SERVER_ONLY', 'SHOES']));
      }
      for (const client of all)
        await until(`${client.name}: still every feature`, () => same(client, EVERYTHING));
      for (const client of mobile) {
        assert.deepEqual([...client.everHeld].sort(), ['MOBILE_ONLY', 'SERVER_ONLY', 'SHOES'], client.name);
      }
      assert.deepEqual([...(await poll(world.keys.mobileServer)).keys()].sort(), ['SERVER_ONLY', 'SHOES']);
    });

    it("changing the account's filters changes what its keys get; with none left they get every feature", async () => {
      const current = await world.admin.get(`/service-account/${world.allAccountId}?includePermissions=true`);
      assert.equal(current.status, 200);
      const mobileAccount = (
        (await world.admin.get(`/portfolio/${world.portfolioId}/service-account?includePermissions=true`))
          .body as Array<{ id: string; name: string; featureFilters?: string[] }>
      ).find((a) => a.name === 'mobile-sdk')!;
      assert.deepEqual(mobileAccount.featureFilters, [world.filters.mobile]);
      const put = async (featureFilters: string[]) => {
        const sa = (await world.admin.get(`/service-account/${mobileAccount.id}?includePermissions=true`))
          .body as Record<string, unknown>;
        const res = await world.admin.put(`/service-account/${mobileAccount.id}?includePermissions=true`, {
          ...sa,
          featureFilters,
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(
          (res.body as { featureFilters: string[] }).featureFilters,
          [...featureFilters].sort(),
        );
      };
      await put([world.filters.server]);
      for (const client of mobile) {
        await until(`${client.name}: the server filter`, () =>
          same(client, ['MOBILE_ONLY', 'SERVER_ONLY', 'SHOES']),
        );
      }
      await put([]);
      for (const client of mobile)
        await until(`${client.name}: every feature`, () => same(client, EVERYTHING));
    });
  });
}
