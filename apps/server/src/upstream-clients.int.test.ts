// Upstream's own clients against the built party server: the admin API through the real `axios`, used the way
// the OpenAPI-generated typescript-axios client (upstream's e2e suite, its CLI tools) uses it, then the values
// read back through the real FeatureHub SDK.
//
// What the generated client does, and so what this file does:
// - one axios instance, baseURL the server root (the contract's paths start with /mr-api), a bearer token;
// - operations with a body: the body as JSON;
// - operations without a body: `axios.post(url)` / `axios.put(url)` with no data and no Content-Type of our own.
//   axios 1.21.1 then sends `Content-Type: application/x-www-form-urlencoded` with `Content-Length: 0`
//   (its default for every POST/PUT/PATCH, read below off the request it wrote: `response.request`), which a
//   server that insists on JSON answers with 415. (A data-less `axios.put` sends the same; mr-api 1.2.5 has no
//   body-less PUT, so the four body-less operations below are all POSTs.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningRole, startRole, until } from '@fh/test-support';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { EdgeFeatureHubConfig, FHLog } from 'featurehub-javascript-node-sdk';

FHLog.fhLog.quiet();

const ADMIN = { name: 'Ada Admin', emailAddress: 'ada@example.com', password: 'password123' };
const FORM = 'application/x-www-form-urlencoded';

/** What the server answered, for assertion messages: a failing check says exactly what came back. */
function described(res: AxiosResponse): string {
  return `${res.config.method?.toUpperCase()} ${res.config.url} → ${res.status} ${JSON.stringify(res.data)}`;
}

function expectStatus(res: AxiosResponse, status: number): any {
  assert.equal(res.status, status, described(res));
  return res.data;
}

/** The Content-Type header axios actually wrote on the wire (Node's ClientRequest behind the response). */
function sentContentType(res: AxiosResponse): unknown {
  return (res.request as ClientRequest).getHeader('content-type');
}

/** Like the generated client's configuration: base path, bearer token; every status is returned to assert on. */
function client(baseURL: string, token?: string): AxiosInstance {
  return axios.create({
    baseURL,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    validateStatus: () => true,
  });
}

describe('upstream clients (axios, the FeatureHub SDK) against the built party server', () => {
  let party: RunningRole;
  let dataDir = '';
  let api: AxiosInstance;
  let superuserId = '';
  let portfolioId = '';
  let appId = '';
  let envId = '';
  let serverEvalSdkUrl = '';
  const sdks: EdgeFeatureHubConfig[] = [];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fh-upstream-clients-'));
    party = await startRole('party', { env: { DB_URL: `sqlite:${join(dataDir, 'featurehub.db')}` } });
    await party.waitUntilReady();
    const setup = expectStatus(
      await client(party.baseUrl).post('/mr-api/initialize', {
        ...ADMIN,
        organizationName: 'Acme',
        portfolio: 'Shop',
      }),
      200,
    );
    api = client(party.baseUrl, setup.accessToken);
    superuserId = setup.person.id.id;
    portfolioId = expectStatus(await api.get('/mr-api/portfolio'), 200)[0].id;
    appId = expectStatus(
      await api.post(`/mr-api/portfolio/${portfolioId}/application`, {
        name: 'web',
        description: 'the shop',
      }),
      200,
    ).id;
    envId = expectStatus(await api.get(`/mr-api/application/${appId}/environment`), 200)[0].id;
  });

  after(async () => {
    for (const s of sdks) s.close();
    await party?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a service account created with its permissions with the SDK URLs of each environment', async () => {
    const sa = expectStatus(
      await api.post(`/mr-api/portfolio/${portfolioId}/service-account?includePermissions=true`, {
        name: 'web-sdk',
        description: 'the web front end',
        permissions: [{ environmentId: envId, permissions: ['READ'] }],
      }),
      200,
    );
    assert.ok(sa.apiKeyClientSide && sa.apiKeyServerSide, JSON.stringify(sa));
    assert.equal(sa.permissions.length, 1, JSON.stringify(sa));
    for (const permission of sa.permissions) {
      assert.equal(permission.environmentId, envId);
      assert.equal(
        permission.sdkUrlClientEval,
        `${envId}/${sa.apiKeyClientSide}`,
        JSON.stringify(permission),
      );
      assert.equal(
        permission.sdkUrlServerEval,
        `${envId}/${sa.apiKeyServerSide}`,
        JSON.stringify(permission),
      );
    }
    serverEvalSdkUrl = sa.permissions[0].sdkUrlServerEval;
  });

  it('accepts body-less POSTs that axios sends with its default form content type and an empty body', async () => {
    const groupId = expectStatus(
      await api.post(`/mr-api/portfolio/${portfolioId}/group`, { name: 'Developers' }),
      200,
    ).id;
    const email = 'newbie@example.com';
    const newbie = expectStatus(
      await api.post('/mr-api/person', { email, name: 'Newbie', personType: 'person' }),
      200,
    );

    // addPersonToGroup
    const added = await api.post(`/mr-api/group/${groupId}/person/${newbie.personId}?includeMembers=true`);
    assert.equal(sentContentType(added), FORM, 'axios sent its default form type (what this test is about)');
    const group = expectStatus(added, 200);
    assert.ok(
      group.members.some((m: any) => m.id.id === newbie.personId),
      `the person is a member: ${described(added)}`,
    );

    // resetExpiredToken: a new registration token for a person who has not registered yet
    const renewed = await api.post(`/mr-api/authentication/${encodeURIComponent(email)}/expiredTokenReset`);
    assert.equal(sentContentType(renewed), FORM);
    const registration = expectStatus(renewed, 200);
    assert.equal(registration.personId, newbie.personId);
    assert.ok(registration.token && registration.token !== newbie.token, described(renewed));

    // resetSecurityToken: an admin service account gets a new bearer token and the old one stops working
    const robot = expectStatus(
      await api.post('/mr-api/person', { personType: 'serviceAccount', name: 'robot' }),
      200,
    );
    const reset = await api.post(`/mr-api/person/${robot.personId}/token-reset`);
    assert.equal(sentContentType(reset), FORM);
    const { token } = expectStatus(reset, 200);
    assert.ok(token && token !== robot.token, described(reset));
    expectStatus(await client(party.baseUrl, robot.token).get('/mr-api/person/self'), 401);
    assert.equal(
      expectStatus(await client(party.baseUrl, token).get('/mr-api/person/self'), 200).id.id,
      robot.personId,
    );

    // resetApiKey: a new client-evaluated key, the server-evaluated one kept
    const sa = expectStatus(
      await api.post(`/mr-api/portfolio/${portfolioId}/service-account`, {
        name: 'rotating',
        description: '',
      }),
      200,
    );
    const rotated = await api.post(
      `/mr-api/service-account/${sa.id}/reset-api-key?apiKeyType=client_eval_only`,
    );
    assert.equal(sentContentType(rotated), FORM);
    const rotatedSa = expectStatus(rotated, 200);
    assert.ok(
      rotatedSa.apiKeyClientSide && rotatedSa.apiKeyClientSide !== sa.apiKeyClientSide,
      described(rotated),
    );
    assert.equal(rotatedSa.apiKeyServerSide, sa.apiKeyServerSide);
  });

  it('refuses a body sent as form data with 415 and a JSON error that says what to send', async () => {
    const res = await api.post(`/mr-api/portfolio/${portfolioId}/application`, 'name=x', {
      headers: { 'Content-Type': FORM },
    });
    assert.equal(res.status, 415, described(res));
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(typeof res.data.code, 'string', described(res));
    assert.equal(typeof res.data.message, 'string', described(res));
    assert.match(res.data.message, /application\/json/, described(res));
    const apps = expectStatus(await api.get(`/mr-api/portfolio/${portfolioId}/application`), 200);
    assert.ok(!apps.some((a: any) => a.name === 'x'), 'nothing was created');
  });

  it('answers groups with role and member arrays, so an environment role can be pushed and PUT back', async () => {
    const created = expectStatus(
      await api.post(`/mr-api/portfolio/${portfolioId}/group`, { name: 'Testers' }),
      200,
    );
    for (const query of ['', '?includeGroupRoles=true&includeMembers=true']) {
      const res = await api.get(`/mr-api/group/${created.id}${query}`);
      const group = expectStatus(res, 200);
      assert.ok(Array.isArray(group.applicationRoles), `applicationRoles is an array: ${described(res)}`);
      assert.ok(Array.isArray(group.environmentRoles), `environmentRoles is an array: ${described(res)}`);
      assert.ok(Array.isArray(group.members), `members is an array: ${described(res)}`);
    }

    // Upstream's e2e step "I assign roles … to the group for the current environment", verbatim in effect:
    // getGroup(id), environmentRoles.push(…), updateGroupOnPortfolio(portfolio, group, false, false, true, false, true).
    const group = expectStatus(await api.get(`/mr-api/group/${created.id}`), 200);
    group.environmentRoles.push({ environmentId: envId, groupId: group.id, roles: ['READ', 'CHANGE_VALUE'] });
    const updated = await api.put(
      `/mr-api/portfolio/${portfolioId}/group?includePeople=false&includeMembers=false&includeGroupRoles=true` +
        '&updateMembers=false&updateEnvironmentGroupRoles=true',
      group,
    );
    const answered = expectStatus(updated, 200);
    const role = answered.environmentRoles.find((r: any) => r.environmentId === envId);
    assert.ok(role, `the PUT answer carries the environment role: ${described(updated)}`);
    assert.deepEqual([...role.roles].sort(), ['CHANGE_VALUE', 'READ']);

    const readBack = expectStatus(await api.get(`/mr-api/group/${created.id}?includeGroupRoles=true`), 200);
    const stored = readBack.environmentRoles.find((r: any) => r.environmentId === envId);
    assert.ok(stored, `the environment role was stored: ${JSON.stringify(readBack)}`);
    assert.deepEqual([...stored.roles].sort(), ['CHANGE_VALUE', 'READ']);
  });

  it('creates an application strategy from only a name with 201', async () => {
    const res = await api.post(`/mr-api/application/${appId}/strategy`, { name: 'nobody yet' });
    const strategy = expectStatus(res, 201);
    assert.equal(strategy.name, 'nobody yet', described(res));
    assert.ok(strategy.id, described(res));
    const list = expectStatus(await api.get(`/mr-api/application/${appId}/strategy`), 200);
    assert.ok(JSON.stringify(list).includes(strategy.id), `listed: ${JSON.stringify(list)}`);
  });

  it('answers 404 when a superuser is removed from a portfolio administrators group', async () => {
    const groups = expectStatus(await api.get(`/mr-api/portfolio/${portfolioId}/group`), 200);
    const adminGroup = groups.find((g: any) => g.admin === true);
    assert.ok(adminGroup, `the portfolio has an administrators group: ${JSON.stringify(groups)}`);
    const res = await api.delete(`/mr-api/group/${adminGroup.id}/person/${superuserId}`);
    assert.equal(res.status, 404, described(res));
    assert.equal(typeof res.data.message, 'string', described(res));
    // …and the superuser is still a superuser.
    const self = expectStatus(await api.get('/mr-api/person/self?includeGroups=true'), 200);
    assert.equal(self.id.id, superuserId);
    expectStatus(await api.get('/mr-api/portfolio'), 200);
  });

  it('names itself party-server on /info/version, as upstream does', async () => {
    const info = expectStatus(await api.get('/info/version'), 200);
    assert.equal(info.name, 'party-server');
    assert.match(info.version, /^\d+\.\d+\.\d+/);
  });

  it('delivers a value set through the admin API with axios to the SDK on the server-evaluated key', async () => {
    assert.ok(serverEvalSdkUrl, 'the service account test ran first');
    expectStatus(
      await api.post(`/mr-api/application/${appId}/features`, {
        key: 'GREETING',
        name: 'Greeting',
        valueType: 'STRING',
      }),
      200,
    );
    const path = `/mr-api/features/${envId}/feature/GREETING`;
    const current = await api.get(path);
    if (current.status === 200) {
      expectStatus(await api.put(path, { ...current.data, valueString: 'hello from axios' }), 200);
    } else {
      expectStatus(
        await api.post(path, { key: 'GREETING', locked: false, valueString: 'hello from axios' }),
        200,
      );
    }

    // A server-evaluated key connects per context; closing its config ends the stream.
    const config = new EdgeFeatureHubConfig(party.baseUrl, serverEvalSdkUrl);
    sdks.push(config);
    const context = await config.newContext().userKey('ada').build();
    await until('the value', () => context.feature('GREETING').getString() === 'hello from axios');
    assert.equal(context.feature('GREETING').getString(), 'hello from axios');
  });
});
