import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { readFromServer, SourceReadError } from './read-from-server.ts';

// readFromServer against a fake upstream 1.2.5 (in-process HTTP): no feature-filter API (404 → skipped), SDK keys
// only inside the SDK URLs, people over several pages, typed values turned into stored text, the answers' extra
// strategy defaults dropped, dangling references left out; and what it refuses.

const ids = {
  org: randomUUID(),
  portfolio: randomUUID(),
  app: randomUUID(),
  prod: randomUUID(),
  dev: randomUUID(),
  flag: randomUUID(),
  num: randomUUID(),
  value: randomUUID(),
  numValue: randomUUID(),
  strategy: randomUUID(),
  group: randomUUID(),
  fg: randomUUID(),
  sa: randomUUID(),
  superusers: randomUUID(),
};
const people = Array.from({ length: 130 }, (_, i) => ({
  id: { id: randomUUID() },
  email: `p${i}@example.com`,
  name: `P ${i}`,
  personType: i === 0 ? 'serviceAccount' : i === 1 ? 'sdkServiceAccount' : 'person',
  whenArchived: i === 2 ? '2026-01-01T00:00:00Z' : null,
}));

function answer(url: URL, auth: string | undefined): [number, unknown] {
  const p = url.pathname;
  if (p === '/mr-api/login') return [200, { accessToken: 'tok' }];
  if (auth !== 'Bearer tok') return [401, { message: 'no' }];
  if (p === '/mr-api/person/self')
    return [
      200,
      {
        id: { id: people[3]!.id.id },
        email: 'p3@example.com',
        groups: [{ id: ids.superusers, admin: true }],
      },
    ];
  if (p === '/mr-api/initialize') return [200, { organization: { id: ids.org, name: 'Upstream' } }];
  if (p === '/mr-api/portfolio')
    return [200, [{ id: ids.portfolio, name: 'Retail', applications: [{ id: ids.app, name: 'Shop' }] }]];
  if (p === '/mr-api/person') {
    const start = Number(url.searchParams.get('startAt'));
    const size = Number(url.searchParams.get('pageSize'));
    return [200, { max: people.length, people: people.slice(start, start + size) }];
  }
  if (p === `/mr-api/organization/${ids.org}/group`)
    return [
      200,
      { id: ids.superusers, name: 'admins', admin: true, members: [people[3], { id: { id: randomUUID() } }] },
    ];
  if (p === `/mr-api/application/${ids.app}/features`)
    return [
      200,
      [
        { id: ids.flag, key: 'FLAG', name: 'Flag', valueType: 'BOOLEAN', metaData: '{"a":1}' },
        { id: ids.num, key: 'NUM', name: 'Num', valueType: 'NUMBER', link: 'https://x' },
        {
          id: randomUUID(),
          key: 'OLD',
          name: 'Old',
          valueType: 'STRING',
          whenArchived: '2026-01-01T00:00:00Z',
        },
      ],
    ];
  if (p === `/mr-api/application/${ids.app}/environment`)
    return [
      200,
      [
        { id: ids.prod, name: 'production', production: true, environmentInfo: { a: 'b' } },
        { id: ids.dev, name: 'dev', priorEnvironmentId: ids.prod, webhookEnvironmentInfo: {} },
      ],
    ];
  if (p === `/mr-api/environment/${ids.prod}`)
    return [
      200,
      { id: ids.prod, name: 'production', webhookEnvironmentInfo: { 'webhook.features.enabled': 'true' } },
    ];
  if (p === `/mr-api/application/${ids.app}/strategy`)
    return [
      200,
      {
        max: 1,
        items: [
          {
            strategy: { id: ids.strategy, name: 'beta', attributes: [], disabled: false },
            uniqueCode: '@abc',
          },
        ],
      },
    ];
  if (p === `/mr-api/features/${ids.prod}`)
    return [
      200,
      {
        featureValues: [
          {
            id: ids.value,
            key: 'FLAG',
            value: true,
            version: 4,
            locked: true,
            retired: false,
            rolloutStrategies: [
              { id: 'x', name: 's', disabled: false, percentageAttributes: [], value: false },
            ],
            rolloutStrategyInstances: [
              { strategyId: ids.strategy, value: false, disabled: true },
              { strategyId: randomUUID(), value: true },
            ],
          },
          { id: ids.numValue, key: 'NUM', valueNumber: 2.5, version: 1, retired: true },
          { id: randomUUID(), key: 'OLD', value: 'gone', version: 1 },
          { id: null, key: 'NUM', version: 0 },
        ],
      },
    ];
  if (p === `/mr-api/features/${ids.dev}`) return [200, { featureValues: [] }];
  if (p === `/mr-api/application/${ids.app}/feature-groups`)
    return [200, { count: 1, featureGroups: [{ id: ids.fg, name: 'G', environmentId: ids.prod, order: 3 }] }];
  if (p === `/mr-api/application/${ids.app}/feature-groups/${ids.fg}`)
    return [
      200,
      {
        id: ids.fg,
        name: 'G',
        order: 3,
        environmentId: ids.prod,
        features: [{ key: 'NUM', value: 7 }],
        strategies: [{ name: 'g', attributes: [] }],
      },
    ];
  if (p === `/mr-api/portfolio/${ids.portfolio}/service-account`)
    return [
      200,
      [
        {
          id: ids.sa,
          name: 'sdk',
          permissions: [
            {
              environmentId: ids.prod,
              permissions: ['READ'],
              sdkUrlServerEval: `${ids.prod}/server-key`,
              sdkUrlClientEval: `${ids.prod}/client*key`,
            },
            { environmentId: randomUUID(), permissions: ['READ'] },
          ],
        },
      ],
    ];
  if (p === `/mr-api/portfolio/${ids.portfolio}/group`) return [200, [{ id: ids.group, name: 'Devs' }]];
  if (p === `/mr-api/group/${ids.group}`)
    return [
      200,
      {
        id: ids.group,
        name: 'Devs',
        members: [people[5]],
        applicationRoles: [{ applicationId: ids.app, roles: ['FEATURE_EDIT'] }],
        environmentRoles: [{ environmentId: ids.dev, roles: ['READ', 'CHANGE_VALUE'] }],
      },
    ];
  return [404, { message: 'not found' }];
}

describe('readFromServer (against a fake upstream 1.2.5)', () => {
  let server: Server;
  let base: string;
  const paths: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      paths.push(url.pathname);
      const [status, body] = answer(url, req.headers.authorization);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((r) => server.close(r)));

  it('reads everything into a valid document with the source ids; what the source lacks is skipped', async () => {
    const progress: number[] = [];
    const { document, skipped, notes } = await readFromServer({
      baseUrl: `${base}/mr-api/`,
      email: 'p3@example.com',
      password: 'pw',
      onProgress: ({ done }) => progress.push(done),
    });
    assert.deepEqual(document.organisation.id, ids.org);
    assert.equal(document.people?.length, 129, "every page, without the SDK accounts' shadow people");
    assert.equal(document.people?.find((p) => p.email === 'p0@example.com')?.type, 'serviceAccount');
    assert.equal(document.people?.find((p) => p.email === 'p2@example.com')?.deactivated, true);
    assert.deepEqual(
      document.organisation.groups?.[0]?.members,
      [people[3]!.id.id],
      'unknown members left out',
    );
    const p = document.portfolios[0]!;
    assert.deepEqual(p.featureFilters, []);
    assert.match(
      skipped.join('\n'),
      /feature filters of portfolio "Retail": the source has no feature-filter API/,
    );
    assert.ok(notes.length > 0);
    assert.deepEqual(p.serviceAccounts[0]!.apiKeys, {
      serverEvaluated: 'server-key',
      clientEvaluated: 'client*key',
    });
    assert.deepEqual(p.serviceAccounts[0]!.environments, [{ environment: ids.prod, roles: ['READ'] }]);
    assert.deepEqual(p.groups?.[0], {
      id: ids.group,
      name: 'Devs',
      admin: false,
      members: [people[5]!.id.id],
      applications: [{ application: ids.app, roles: ['FEATURE_EDIT'] }],
      environments: [{ environment: ids.dev, roles: ['CHANGE_VALUE', 'READ'] }],
    });
    const app = p.applications[0]!;
    assert.deepEqual(
      app.features.map((f) => f.key),
      ['FLAG', 'NUM'],
    );
    assert.deepEqual(app.strategies, [
      { id: ids.strategy, name: 'beta', code: '@abc', strategy: { attributes: [], disabled: false } },
    ]);
    const prod = app.environments.find((e) => e.id === ids.prod)!;
    const dev = app.environments.find((e) => e.id === ids.dev)!;
    assert.equal(dev.priorEnvironment, ids.prod);
    assert.deepEqual(prod.info, { a: 'b' });
    assert.deepEqual(prod.webhookInfo, { 'webhook.features.enabled': 'true' });
    assert.deepEqual(prod.values, [
      {
        id: ids.value,
        feature: 'FLAG',
        version: 4,
        value: 'true',
        locked: true,
        retired: false,
        strategies: [{ id: 'x', name: 's', value: false }],
        applicationStrategies: [{ strategy: ids.strategy, enabled: false, value: 'false' }],
      },
      {
        id: ids.numValue,
        feature: 'NUM',
        version: 1,
        value: '2.5',
        locked: false,
        retired: true,
        strategies: [],
        applicationStrategies: [],
      },
    ]);
    assert.deepEqual(prod.featureGroups, [
      {
        id: ids.fg,
        name: 'G',
        description: null,
        position: 3,
        strategies: [{ name: 'g', attributes: [] }],
        features: [{ feature: 'NUM', value: '7' }],
      },
    ]);
    assert.ok(progress.length > 10 && progress.at(-1)! > 10);
  });

  it('refuses a wrong login, a wrong token and a URL that is not http(s), as bad input', async () => {
    await assert.rejects(readFromServer({ baseUrl: base, token: 'nope' }), (e: unknown) => {
      assert.ok(e instanceof SourceReadError && e.status === 400);
      assert.match(
        (e as Error).message,
        /person\/self\?includeGroups=true: the source refused the token \(401/,
      );
      return true;
    });
    await assert.rejects(readFromServer({ baseUrl: 'ftp://x', token: 't' }), /only http and https/);
    await assert.rejects(readFromServer({ baseUrl: base }), /needs --token, or --email and --password/);
  });
});
