import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { allOperations, operation } from '@fh/contracts/admin-api';
import { randomAlphanumeric } from '../../auth/tokens.ts';
import type { ApiResponse } from '../test-mr.ts';
import {
  buildWorld,
  type ContractMr,
  DIALECTS,
  ok,
  runsOn,
  snapshotTables,
  startContractMr,
  tableDifferences,
  type World,
} from './contract-world.ts';
import {
  type InScopeOperationId,
  type PlannedRequest,
  pathParamsOf,
  send,
  validRequests,
} from './operation-requests.ts';
import {
  acceptedTypes,
  describePath,
  type FieldSlot,
  fieldSlots,
  isFreeText,
  queryParameters,
  requestBodySchema,
  resolve,
  uuidPathParameters,
  valueAt,
  withValueAt,
  wrongValues,
} from './schema-cases.ts';

// Bad input sent to every in-scope operation of the admin API, generated from the operation table and
// our OpenAPI document: the answer is always a 4xx with a JSON message (never a 5xx), and nothing in the
// database changes. Each case starts from the operation's valid request (operation-requests.ts) and
// breaks one thing.

const OPERATIONS = allOperations().filter((o) => o.inScope && !o.servedElsewhere) as Array<
  ReturnType<typeof allOperations>[number] & { operationId: InScopeOperationId }
>;

const LONG = 'ab😀'.repeat(2500);
const UNICODE = 'Zoë 😀 مرحبا עולם 日本語 \u202Eevil';
/** Text an attacker would try; `perField` ones go into each free-text field on its own. */
const INJECTIONS: { label: string; value: string; perField?: boolean }[] = [
  { label: 'SQL', value: "'; DROP TABLE fh_person; --" },
  { label: 'markup', value: '<script>alert(1)</script>' },
  { label: 'a path', value: '../../etc/passwd' },
  { label: 'LIKE wildcards', value: "%_\\'" },
  { label: 'a very long string', value: LONG, perField: true },
  { label: 'emoji, non-ASCII and RTL text', value: UNICODE, perField: true },
  { label: 'a NUL character', value: 'a\u0000b' },
];

/** Numbers a schema's integer or number type lets through, to see where they land. */
const EXTREME_NUMBERS = [-1, 2 ** 31, 2 ** 53 + 2, 1e300];

/**
 * Unknown ids answer 404, except where the operation only ever acts on the caller's own record: there
 * any other id is refused first (403), which tells nothing about whether it exists.
 */
const UNKNOWN_ID_STATUS: Partial<Record<InScopeOperationId, number>> = { replaceTempPassword: 403 };
/** Path parameters that are not ids but enumerations: an unknown value is bad input (400), not a 404. */
const ENUM_PATH_PARAMETERS = new Set(['getMatchingFilters.matchType']);

/**
 * Body fields the injection sweep leaves alone: renaming the World's shared feature would break the
 * requests planned after it (feature keys get the sweep in createFeaturesForApplication).
 */
const SHARED_TARGET_FIELDS: Partial<Record<InScopeOperationId, string[]>> = {
  updateFeatureForApplicationOnFeature: ['key'],
  updateFeatureForApplication: ['key'],
};

/** Operations that refuse every request of a signed-in caller (no success response in the document). */
const alwaysRefuses = (id: string) => Object.keys(operation(id as InScopeOperationId).responses).length === 0;

const isClientError = (status: number) => status >= 400 && status < 500;
const hasMessage = (res: ApiResponse) =>
  typeof (res.body as { message?: unknown } | null)?.message === 'string' &&
  (res.headers.get('content-type') ?? '').includes('application/json');

/** Collects what went wrong, so one run reports every bad case at once. */
class Findings {
  readonly problems: string[] = [];
  /** How many answers were looked at. */
  cases = 0;
  expect(what: string, res: ApiResponse, expected: number | 'a 4xx'): void {
    this.cases++;
    const fits =
      expected === 'a 4xx' ? isClientError(res.status) && res.status !== 401 : res.status === expected;
    if (!fits) {
      this.problems.push(
        `${what}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
      );
    } else if (!hasMessage(res)) {
      this.problems.push(
        `${what}: ${res.status} without a JSON message: ${JSON.stringify(res.body).slice(0, 100)}`,
      );
    }
  }
  note(): void {
    this.cases++;
  }
  add(problem: string): void {
    this.problems.push(problem);
  }
}

for (const dialect of DIALECTS) {
  describe(`bad input over every in-scope operation (${dialect})`, await runsOn(dialect), () => {
    // Cases that request validation or authentication refuse never reach an operation's own queries,
    // so the server databases run a sample of them; every case that reaches a query runs everywhere.
    const thorough = dialect === 'sqlite';
    let contract: ContractMr;
    let w: World;
    /** One valid request per operation, planned before any snapshot. */
    const plans = new Map<InScopeOperationId, PlannedRequest>();

    before(async () => {
      contract = await startContractMr(dialect);
      w = await buildWorld(contract);
      for (const o of OPERATIONS) plans.set(o.operationId, await validRequests[o.operationId](w));
    });
    after(async () => contract?.mr.close());

    /** Runs `cases` and asserts that no table changed and the server logged no error. */
    async function unchanged(t: TestContext, findings: Findings, cases: () => Promise<void>): Promise<void> {
      const before = await snapshotTables(w.mr);
      contract.serverErrors.length = 0;
      await cases();
      const differences = tableDifferences(before, await snapshotTables(w.mr));
      for (const d of differences) findings.add(`data changed: ${d}`);
      for (const e of contract.serverErrors) findings.add(`server error: ${e.slice(0, 400)}`);
      t.diagnostic(`${findings.cases} requests`);
      assert.ok(findings.cases > 0, 'no cases were generated');
      assert.deepEqual(findings.problems, []);
    }

    it('every in-scope operation has a valid request to start from', () => {
      const inScope = allOperations().filter((o) => o.inScope);
      const missing = inScope.filter((o) => !(o.operationId in validRequests));
      assert.deepEqual(
        missing.map((o) => o.operationId),
        [],
      );
    });

    it('answers 400 to malformed, mistyped and incomplete bodies (every field, at every depth), 413 to oversized ones, and changes nothing', async (t) => {
      const findings = new Findings();
      await unchanged(t, findings, async () => {
        for (const o of OPERATIONS) {
          const schema = requestBodySchema(contract.doc, o.operationId);
          if (schema === undefined) continue;
          const plan = plans.get(o.operationId)!;
          const isArray = resolve(schema, contract.doc)['type'] === 'array';
          const label = (what: string) => `${o.operationId} with ${what}`;
          const raw = async (what: string, rawBody: string, expected: number, contentType?: string) =>
            findings.expect(
              label(what),
              await send(
                w.su,
                o.operationId,
                { ...plan, body: undefined },
                {
                  rawBody,
                  ...(contentType ? { headers: { 'content-type': contentType } } : {}),
                },
              ),
              expected,
            );

          await raw('broken JSON', '{"name": ', 400);
          await raw('a JSON null', 'null', 400);
          await raw('a JSON string', '"text"', 400);
          await raw('a JSON number', '42', 400);
          await raw(
            isArray ? 'an object instead of an array' : 'an array instead of an object',
            isArray ? '{}' : '[]',
            400,
          );
          await raw('a body that is not JSON', 'name=x', 415, 'application/x-www-form-urlencoded');
          await raw('JSON nested 20000 deep', `${'['.repeat(20000)}${']'.repeat(20000)}`, 400);
          await raw('a prototype-poisoning key', '{"__proto__": {"isSuperuser": true}, "name": "x"}', 400);
          await raw(
            'a body over the size limit',
            JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }),
            413,
          );

          if (!thorough) continue;
          let turn = 0;
          for (const slot of fieldSlots(plan.body, schema, contract.doc)) {
            const where = describePath(slot.path);
            if (slot.required) {
              findings.expect(
                label(`${where} missing`),
                await send(w.su, o.operationId, {
                  ...plan,
                  body: withValueAt(plan.body, slot.path, undefined),
                }),
                400,
              );
            }
            for (const wrong of wrongValues(slot.schema, contract.doc, turn++)) {
              findings.expect(
                label(`${where} = ${wrong.label}`),
                await send(w.su, o.operationId, {
                  ...plan,
                  body: withValueAt(plan.body, slot.path, wrong.value),
                }),
                400,
              );
            }
          }
        }
      });
    });

    it('answers 404 to unknown ids and 4xx to garbage in every path parameter, and changes nothing', async (t) => {
      const findings = new Findings();
      const garbage = ['not-a-uuid', 'x'.repeat(600), ...INJECTIONS.map((i) => i.value)];
      await unchanged(t, findings, async () => {
        for (const o of OPERATIONS) {
          const plan = plans.get(o.operationId)!;
          const uuids = uuidPathParameters(contract.doc, o.operationId);
          for (const param of pathParamsOf(o.operationId)) {
            const at = (value: string) => ({ ...plan, params: { ...plan.params, [param]: value } });
            findings.expect(
              `${o.operationId} with an unknown ${param}`,
              await send(w.su, o.operationId, at(randomUUID())),
              ENUM_PATH_PARAMETERS.has(`${o.operationId}.${param}`)
                ? 400
                : (UNKNOWN_ID_STATUS[o.operationId] ?? (alwaysRefuses(o.operationId) ? 400 : 404)),
            );
            for (const value of garbage) {
              const expected = uuids.has(param) && value.length <= 500 ? 400 : 'a 4xx';
              findings.expect(
                `${o.operationId} with ${param} = ${JSON.stringify(value.slice(0, 30))}`,
                await send(w.su, o.operationId, at(value)),
                expected,
              );
            }
          }
        }
      });
    });

    it('answers 401 to missing, malformed, forged and expired tokens on every operation that needs one', async (t) => {
      const findings = new Findings();
      // a session that was logged out, and an admin service account's token that was replaced
      const victim = await w.fresh.person();
      const login = await ok(
        'login',
        w.mr.client.post('/login', { email: victim.email, password: 'password123' }),
      );
      await ok('logout', w.mr.client.withToken(login.accessToken).get('/logout'));
      const robot = await ok(
        'createPerson',
        w.su.post('/person', { personType: 'serviceAccount', name: 'robot' }),
      );
      await ok('resetSecurityToken', w.su.post(`/person/${robot.personId}/token-reset`));
      const headers: { label: string; authorization?: string }[] = [
        { label: 'no token' },
        { label: 'an empty bearer token', authorization: 'Bearer ' },
        { label: 'basic credentials', authorization: 'Basic dXNlcjpwYXNzd29yZA==' },
        { label: 'a forged token', authorization: `Bearer ${randomAlphanumeric(36)}` },
        { label: 'a logged-out token', authorization: `Bearer ${login.accessToken}` },
        { label: 'a replaced admin token', authorization: `Bearer ${robot.token}` },
      ];
      await unchanged(t, findings, async () => {
        // all of them on SQLite, one per service elsewhere (the token check is the same for all)
        const firstOfTag = new Map<string, string>();
        for (const op of OPERATIONS)
          if (op.auth && !firstOfTag.has(op.tags[0]!)) firstOfTag.set(op.tags[0]!, op.operationId);
        const sample = OPERATIONS.filter(
          (op) => op.auth && (thorough || firstOfTag.get(op.tags[0]!) === op.operationId),
        );
        for (const o of sample) {
          const plan = plans.get(o.operationId)!;
          for (const h of headers) {
            const res = await send(w.mr.client, o.operationId, plan, {
              headers: h.authorization ? { authorization: h.authorization } : {},
            });
            findings.expect(`${o.operationId} with ${h.label}`, res, 401);
          }
        }
      });
    });

    it('answers 400 to query parameters of the wrong type, and changes nothing', async (t) => {
      const findings = new Findings();
      await unchanged(t, findings, async () => {
        for (const o of OPERATIONS) {
          const plan = plans.get(o.operationId)!;
          let turn = 0;
          for (const { name, schema } of queryParameters(contract.doc, o.operationId)) {
            const s = resolve(schema, contract.doc);
            const item = s['type'] === 'array' ? s['items'] : schema;
            if (isFreeText(item, contract.doc)) continue;
            const wrong = wrongValues(item, contract.doc, turn++).find((v) => typeof v.value !== 'object');
            const value = wrong ? String(wrong.value === true ? 'maybe' : wrong.value) : undefined;
            if (value === undefined) continue;
            findings.expect(
              `${o.operationId} with ${name}=${value}`,
              await send(w.su, o.operationId, { ...plan, query: { ...plan.query, [name]: value } }),
              400,
            );
          }
        }
      });
    });

    it('never fails on injection-like text in free-text query parameters, and changes nothing', async (t) => {
      const findings = new Findings();
      await unchanged(t, findings, async () => {
        for (const o of OPERATIONS) {
          const plan = plans.get(o.operationId)!;
          for (const { name, schema } of queryParameters(contract.doc, o.operationId)) {
            if (!isFreeText(schema, contract.doc)) continue;
            for (const injection of INJECTIONS) {
              const res = await send(w.su, o.operationId, {
                ...plan,
                query: { ...plan.query, [name]: injection.value },
              });
              const what = `${o.operationId} with ${name} = ${injection.label}`;
              findings.note();
              if (injection.value.includes('\u0000')) findings.expect(what, res, 400);
              else if (res.status >= 500) findings.add(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
            }
          }
        }
      });
    });

    it('never fails on injection-like text, extreme numbers or unknown ids in body fields: refused with a 4xx and no change, or stored intact', async (t) => {
      const findings = new Findings();
      contract.serverErrors.length = 0;
      for (const o of OPERATIONS) {
        const schema = requestBodySchema(contract.doc, o.operationId);
        if (schema === undefined) continue;
        const template = plans.get(o.operationId)!;
        const slots = fieldSlots(template.body, schema, contract.doc).filter(
          (slot) =>
            !(slot.path.length === 1 && SHARED_TARGET_FIELDS[o.operationId]?.includes(String(slot.path[0]))),
        );
        const text = slots.filter((slot) => isFreeText(slot.schema, contract.doc));
        const ids = slots.filter(
          (slot) =>
            resolve(slot.schema, contract.doc)['format'] === 'uuid' &&
            valueAt(template.body, slot.path) !== undefined,
        );
        const numbers = slots.filter((slot) => {
          const accepted = acceptedTypes(slot.schema, contract.doc);
          return accepted?.has('integer') || accepted?.has('number');
        });
        const cases: { what: string; slots: FieldSlot[]; value: unknown }[] = [];
        for (const injection of INJECTIONS) {
          if (injection.perField) {
            for (const slot of text) {
              cases.push({
                what: `${describePath(slot.path)} = ${injection.label}`,
                slots: [slot],
                value: injection.value,
              });
            }
          } else if (text.length > 0) {
            cases.push({
              what: `every text field = ${injection.label}`,
              slots: text,
              value: injection.value,
            });
          }
        }
        for (const slot of numbers) {
          for (const value of EXTREME_NUMBERS) {
            cases.push({ what: `${describePath(slot.path)} = ${value}`, slots: [slot], value });
          }
        }
        // ids of nothing: unknown applications, environments, groups, strategies, ...
        for (const slot of ids) {
          cases.push({
            what: `${describePath(slot.path)} = an unknown id`,
            slots: [slot],
            value: randomUUID(),
          });
        }
        if (cases.length === 0) continue;
        // each case from a fresh valid request, all planned before the snapshot
        const planned = [];
        for (const c of cases) {
          const plan = await validRequests[o.operationId](w);
          let body = plan.body;
          for (const slot of c.slots) body = withValueAt(body, slot.path, c.value);
          planned.push({ ...c, original: plan.body, plan: { ...plan, body } });
        }
        const before = await snapshotTables(w.mr);
        let allRefused = true;
        for (const c of planned) {
          const res = await send(w.su, o.operationId, c.plan);
          findings.note();
          const what = `${o.operationId} with ${c.what}`;
          if (typeof c.value === 'string' && c.value.includes('\u0000')) {
            findings.expect(what, res, 400);
          } else if (res.status >= 500 || (res.status >= 400 && !hasMessage(res))) {
            findings.add(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          } else if (res.status < 300) {
            allRefused = false;
            // A top-level field of the valid request that the answer echoes holds what was sent
            // (stored) or what was there (ignored), never something in between (truncated, re-encoded).
            const answer = res.body as Record<string, unknown> | null;
            const original = c.original as Record<string, unknown>;
            for (const slot of c.slots) {
              if (slot.path.length !== 1 || !answer || Array.isArray(answer) || Array.isArray(original))
                continue;
              const f = String(slot.path[0]);
              const echoed = answer[f];
              if (
                original[f] !== undefined &&
                echoed !== undefined &&
                echoed !== c.value &&
                echoed !== original[f]
              ) {
                findings.add(
                  `${what}: accepted (${res.status}) but ${f} came back as ${JSON.stringify(echoed).slice(0, 60)}`,
                );
              }
            }
          }
        }
        if (allRefused) {
          for (const d of tableDifferences(before, await snapshotTables(w.mr))) {
            findings.add(`${o.operationId}: refused every case, yet data changed: ${d}`);
          }
        }
      }
      for (const e of contract.serverErrors) findings.add(`server error: ${e.slice(0, 400)}`);
      t.diagnostic(`${findings.cases} requests`);
      assert.deepEqual(findings.problems, []);
    });

    it('keeps emoji, non-ASCII and right-to-left text of valid bodies intact', async () => {
      const text = UNICODE;
      const su = w.su;
      const portfolio = await ok(
        'createPortfolio',
        su.post('/portfolio', { name: `${text} P`, description: text }),
      );
      const gotPortfolio = await ok('getPortfolio', su.get(`/portfolio/${portfolio.id}`));
      assert.deepEqual([gotPortfolio.name, gotPortfolio.description], [`${text} P`, text]);

      const app = await ok(
        'createApplication',
        su.post(`/portfolio/${portfolio.id}/application`, { name: `${text} A`, description: text }),
      );
      const gotApp = await ok('getApplication', su.get(`/application/${app.id}`));
      assert.deepEqual([gotApp.name, gotApp.description], [`${text} A`, text]);

      const env = await ok(
        'createEnvironment',
        su.post(`/application/${app.id}/environment`, { name: `${text} E`, description: text }),
      );
      const gotEnv = await ok('getEnvironment', su.get(`/environment/${env.id}`));
      assert.deepEqual([gotEnv.name, gotEnv.description], [`${text} E`, text]);

      await ok(
        'createFeature',
        su.post(`/application/${app.id}/features`, {
          key: 'UNI',
          name: text,
          valueType: 'STRING',
          description: text,
        }),
      );
      const feature = await ok('getFeatureByKey', su.get(`/application/${app.id}/features/UNI`));
      assert.deepEqual([feature.name, feature.description], [text, text]);

      const strategy = await ok(
        'createApplicationStrategy',
        su.post(`/application/${app.id}/strategy`, {
          name: `${text} S`,
          attributes: [{ conditional: 'EQUALS', fieldName: 'tier', type: 'STRING', values: [text] }],
        }),
      );
      const gotStrategy = await ok(
        'getApplicationStrategy',
        su.get(`/application/${app.id}/rollout-strategy/${strategy.id}`),
      );
      assert.deepEqual([gotStrategy.name, gotStrategy.attributes[0].values], [`${text} S`, [text]]);

      await ok(
        'updateFeatureForEnvironment',
        su.put(`/features/${env.id}/feature/UNI`, {
          key: 'UNI',
          locked: false,
          valueString: text,
          rolloutStrategies: [
            {
              name: text,
              value: `${text}!`,
              attributes: [{ conditional: 'EQUALS', fieldName: 'tier', type: 'STRING', values: [text] }],
            },
          ],
        }),
      );
      const value = await ok('getFeatureForEnvironment', su.get(`/features/${env.id}/feature/UNI`));
      assert.deepEqual(
        [
          value.valueString,
          value.rolloutStrategies[0].name,
          value.rolloutStrategies[0].value,
          value.rolloutStrategies[0].attributes[0].values,
        ],
        [text, text, `${text}!`, [text]],
      );
      const history = await ok(
        'listFeatureHistory',
        su.get(`/application/${app.id}/feature-history?featureKeys=UNI`),
      );
      assert.equal(history.items[0].history.at(-1).value, text);

      const group = await ok(
        'createGroup',
        su.post(`/portfolio/${portfolio.id}/group`, { name: `${text} G` }),
      );
      assert.equal((await ok('getGroup', su.get(`/group/${group.id}`))).name, `${text} G`);

      const sa = await ok(
        'createServiceAccountInPortfolio',
        su.post(`/portfolio/${portfolio.id}/service-account`, { name: 'sa ünï 😀', description: text }),
      );
      const gotSa = await ok('getServiceAccount', su.get(`/service-account/${sa.id}`));
      assert.deepEqual([gotSa.name, gotSa.description], ['sa ünï 😀', text]);

      // a person with a non-ASCII name and password registers and logs in with them
      const email = `zoë-${randomUUID().slice(0, 6)}@exämple.com`;
      const created = await ok(
        'createPerson',
        su.post('/person', { email, name: text, personType: 'person' }),
      );
      const password = 'pässwörd 😀 سر';
      await ok(
        'registerPerson',
        w.mr.client.post('/authentication', {
          registrationToken: created.token,
          email,
          name: text,
          password,
          confirmPassword: password,
        }),
      );
      const login = await ok('login', w.mr.client.post('/login', { email, password }));
      assert.deepEqual([login.person.name, login.person.email], [text, email]);
    });
  });
}
