import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { type Database, openDatabase, transfer } from '@fh/mr';
import { MrClient } from '@fh/mr/testing';
import {
  createTestDatabase,
  type RunningRole,
  skipUnlessService,
  startRole,
  type TestDatabase,
  type TestDialect,
} from '@fh/test-support';
import { snapshotOf as snapshot } from './test-support/transfer-world.ts';

// People, admin service accounts and groups in a transfer file (issue 15), on SQLite, PostgreSQL and MySQL: they
// are imported with their members and roles; a re-import changes no row and no version; the file's superusers
// group and an email the target already knows land on the target's own; new people get a registration link that
// really registers them on our server; a per-application import reports progress and, killed after a step,
// completes on a re-run to the same state as a full import; bad references are refused with their path; an export
// with people round-trips byte-identical.

const id = () => randomUUID();
const ids = {
  org: id(),
  portfolio: id(),
  shop: id(),
  backoffice: id(),
  dev: id(),
  prod: id(),
  office: id(),
  ada: id(),
  bob: id(),
  carol: id(),
  robot: id(),
  superusers: id(),
  retailAdmins: id(),
  developers: id(),
};
const SITE = 'http://featurehub.example.com';
const stableIds = new Map<string, string>();
/** the same id for the same name in every sample() */
const stable = (name: string) => {
  if (!stableIds.has(name)) stableIds.set(name, id());
  return stableIds.get(name)!;
};

function application(
  appId: string,
  name: string,
  envs: { id: string; name: string; production: boolean }[],
): transfer.TransferDocument['portfolios'][number]['applications'][number] {
  return {
    id: appId,
    name,
    description: null,
    strategies: [],
    features: [
      {
        id: stable(`${appId}/FLAG`),
        key: 'FLAG',
        name: 'Flag',
        alias: null,
        valueType: 'BOOLEAN',
        description: null,
        link: null,
        metadata: null,
        secret: false,
        featureFilters: [],
      },
    ],
    environments: envs.map((e, i) => ({
      id: e.id,
      name: e.name,
      description: null,
      priorEnvironment: i === 0 ? null : envs[i - 1]!.id,
      production: e.production,
      info: {},
      managementInfo: {},
      values: [
        {
          id: stable(`${e.id}/FLAG`),
          feature: 'FLAG',
          version: 1,
          value: 'true',
          locked: false,
          retired: false,
          strategies: [],
          applicationStrategies: [],
        },
      ],
      featureGroups: [],
    })),
  };
}

function sample(): transfer.TransferDocument {
  return {
    featurehub: transfer.TRANSFER_FORMAT,
    organisation: {
      id: ids.org,
      name: 'Acme',
      groups: [
        {
          id: ids.superusers,
          name: 'Org Superusers',
          admin: true,
          members: [ids.ada, ids.carol],
          applications: [],
          environments: [],
        },
      ],
    },
    people: [
      { id: ids.ada, email: 'ada@example.com', name: 'Ada', type: 'person', deactivated: false },
      { id: ids.bob, email: 'bob@example.com', name: 'Bob', type: 'person', deactivated: true },
      { id: ids.carol, email: 'carol@example.com', name: 'Carol', type: 'person', deactivated: false },
      // upstream's admin service accounts have no email
      { id: ids.robot, email: null, name: 'deploy robot', type: 'serviceAccount', deactivated: false },
    ],
    portfolios: [
      {
        id: ids.portfolio,
        name: 'Retail',
        description: null,
        featureFilters: [],
        serviceAccounts: [],
        groups: [
          {
            id: ids.developers,
            name: 'Developers',
            admin: false,
            members: [ids.carol, ids.robot, ids.bob],
            applications: [{ application: ids.shop, roles: ['FEATURE_EDIT', 'FEATURE_CREATE'] }],
            environments: [
              { environment: ids.dev, roles: ['READ', 'CHANGE_VALUE', 'LOCK'] },
              { environment: ids.prod, roles: ['READ'] },
              { environment: ids.office, roles: ['READ'] },
            ],
          },
          {
            id: ids.retailAdmins,
            name: 'Retail Administrators',
            admin: true,
            members: [ids.ada],
            applications: [],
            environments: [],
          },
        ],
        applications: [
          application(ids.backoffice, 'Backoffice', [{ id: ids.office, name: 'office', production: true }]),
          application(ids.shop, 'Shop', [
            { id: ids.dev, name: 'dev', production: false },
            { id: ids.prod, name: 'production', production: true },
          ]),
        ],
      },
    ],
  };
}

const changes = (report: transfer.ImportReport) =>
  Object.entries(report.counts)
    .filter(([, c]) => c.created + c.updated + c.archived > 0)
    .map(([kind, c]) => `${kind} ${c.created}/${c.updated}/${c.archived}`);

async function freshDatabase(dialect: TestDialect): Promise<{ test: TestDatabase; database: Database }> {
  const test = await createTestDatabase(dialect);
  const database = await openDatabase({ url: test.url });
  await database.migrate();
  return { test, database };
}

async function members(database: Database, groupId: string): Promise<string[]> {
  const rows = await database.db
    .selectFrom('fh_group_member')
    .select('person_id')
    .where('group_id', '=', groupId)
    .execute();
  return rows.map((r) => r.person_id).sort();
}

const exportWithPeople = async (database: Database, application?: string) =>
  transfer.formatTransferDocument(
    await transfer.exportTransferDocument(database.db, {
      includePeople: true,
      includeKeys: true,
      application,
    }),
    'yaml',
  );

const targets: { dialect: TestDialect; skip: () => Promise<string | false> }[] = [
  { dialect: 'sqlite', skip: async () => false },
  { dialect: 'postgres', skip: () => skipUnlessService('postgres') },
  { dialect: 'mysql', skip: () => skipUnlessService('mysql') },
];

describe('bad people and group references in a file are refused with their path', () => {
  const refused = (doc: transfer.TransferDocument, message: RegExp) =>
    assert.throws(
      () => transfer.parseTransferDocument(JSON.stringify(doc), 'f.json'),
      (e: unknown) => e instanceof transfer.TransferFileError && e.status === 400 && message.test(e.message),
    );

  it('members, roles, applications and environments must be in the file (and the group its portfolio)', () => {
    assert.ok(transfer.parseTransferDocument(JSON.stringify(sample())).people?.length === 4);
    let doc = sample();
    doc.organisation.groups![0]!.members.push(id());
    refused(doc, /^f\.json#\/organisation\/groups\/0\/members\/2: person .* is not in this file's people/);
    doc = sample();
    doc.portfolios[0]!.groups![0]!.environments[0]!.roles.push('DELETE_EVERYTHING');
    refused(doc, /^f\.json#\/portfolios\/0\/groups\/0\/environments\/0\/roles\/3/);
    doc = sample();
    doc.portfolios[0]!.groups![0]!.applications[0]!.roles = ['READ'];
    refused(doc, /^f\.json#\/portfolios\/0\/groups\/0\/applications\/0\/roles\/0/);
    doc = sample();
    doc.portfolios[0]!.groups![0]!.environments.push({ environment: id(), roles: ['READ'] });
    refused(
      doc,
      /^f\.json#\/portfolios\/0\/groups\/0\/environments\/3: environment .* is not in this portfolio/,
    );
    doc = sample();
    doc.people![2]!.email = 'ADA@example.com';
    refused(doc, /^f\.json#\/people\/2\/email: email ada@example.com also used at \/people\/0/);
    doc = sample();
    doc.people![0]!.email = null;
    refused(doc, /^f\.json#\/people\/0\/email: a person needs an email address/);
    doc = sample();
    doc.portfolios[0]!.groups![0]!.id = ids.ada;
    refused(doc, /^f\.json#\/portfolios\/0\/groups\/0: id .* also used at \/people\/0/);
    doc = sample();
    doc.portfolios[0]!.groups![0]!.admin = true;
    refused(doc, /^f\.json#\/portfolios\/0\/groups: more than one admin group/);
  });
});

for (const target of targets) {
  describe(`people and groups, ${target.dialect}`, async () => {
    const skip = await target.skip();
    const open: { test: TestDatabase; database: Database }[] = [];
    let server: RunningRole | undefined;
    const fresh = async () => {
      const d = await freshDatabase(target.dialect);
      open.push(d);
      return d.database;
    };
    let imported: Database;
    let firstReport: transfer.ImportReport;

    after(async () => {
      await server?.stop('SIGKILL');
      for (const d of open) {
        await d.database.close();
        await d.test.drop();
      }
    });

    it('imports people, an admin service account, groups, members and roles; a re-import changes nothing', {
      skip,
    }, async () => {
      imported = await fresh();
      firstReport = await transfer.importTransferDocument(imported, sample(), { siteUrl: SITE });
      assert.deepEqual(firstReport.counts.person, { created: 4, updated: 0, unchanged: 0, archived: 0 });
      assert.deepEqual(firstReport.counts.group, { created: 3, updated: 0, unchanged: 0, archived: 0 });
      // a deactivated person and the service account get no link
      assert.deepEqual(
        firstReport.registrations.map((r) => r.email),
        ['ada@example.com', 'carol@example.com'],
      );
      for (const r of firstReport.registrations)
        assert.match(r.url, /^http:\/\/featurehub\.example\.com\/register-url\?token=/);
      assert.ok(
        firstReport.notes.some((n) => /admin service account "deploy robot".*reset its token/.test(n)),
      );

      const people = await imported.db.selectFrom('fh_person').selectAll().execute();
      const byEmail = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      assert.deepEqual(
        people
          .map((p) => [p.id, p.email, p.person_type, p.password_hash, p.when_archived === null])
          .sort((a, b) => byEmail(a[1] as string, b[1] as string)),
        [
          [ids.ada, 'ada@example.com', 'PERSON', null, true],
          [ids.bob, 'bob@example.com', 'PERSON', null, false],
          [ids.carol, 'carol@example.com', 'PERSON', null, true],
          [ids.robot, `${ids.robot}@admin.sa.featurehub.io`, 'SERVICEACCOUNT', null, true],
        ].sort((a, b) => byEmail(a[1] as string, b[1] as string)),
      );
      assert.equal(people.find((p) => p.id === ids.robot)!.registration_token, null);
      const groups = await imported.db.selectFrom('fh_group').selectAll().orderBy('name').execute();
      assert.deepEqual(
        groups.map((g) => [
          g.id,
          g.name,
          g.portfolio_id,
          g.name_scope,
          Boolean(Number(g.is_admin) || g.is_admin === true),
        ]),
        [
          [ids.developers, 'Developers', ids.portfolio, ids.portfolio, false],
          [ids.superusers, 'Org Superusers', null, ids.org, true],
          [ids.retailAdmins, 'Retail Administrators', ids.portfolio, ids.portfolio, true],
        ],
      );
      assert.deepEqual(await members(imported, ids.developers), [ids.bob, ids.carol, ids.robot].sort());
      assert.deepEqual(await members(imported, ids.superusers), [ids.ada, ids.carol].sort());
      const appAcl = await imported.db.selectFrom('fh_application_acl').selectAll().execute();
      assert.deepEqual(
        appAcl.map((a) => [a.group_id, a.application_id, a.roles.split(',').sort().join(',')]),
        [[ids.developers, ids.shop, 'FEATURE_CREATE,FEATURE_EDIT']],
      );
      const envAcl = await imported.db
        .selectFrom('fh_environment_acl')
        .selectAll()
        .where('group_id', '=', ids.developers)
        .execute();
      assert.deepEqual(
        new Map(envAcl.map((a) => [a.environment_id, a.roles.split(',').sort().join(',')])),
        new Map([
          [ids.dev, 'CHANGE_VALUE,LOCK,READ'],
          [ids.prod, 'READ'],
          [ids.office, 'READ'],
        ]),
      );

      const before = await snapshot(imported);
      const again = await transfer.importTransferDocument(imported, sample(), { siteUrl: SITE });
      assert.deepEqual(changes(again), []);
      assert.equal(again.counts.person.unchanged, 4);
      assert.equal(again.counts.group.unchanged, 3);
      assert.equal(await snapshot(imported), before, 'no row and no version changed');
      // not registered yet: the links are listed again (a re-run after an interrupted one still has them)
      assert.deepEqual(again.registrations, firstReport.registrations);
    });

    it('an edited file updates members and roles, bumping only the groups and people that changed', {
      skip,
    }, async () => {
      const doc = sample();
      doc.people![1]!.deactivated = false; // Bob is back
      doc.portfolios[0]!.groups![0]!.members = [ids.carol];
      doc.portfolios[0]!.groups![0]!.environments = [{ environment: ids.dev, roles: ['READ'] }];
      const report = await transfer.importTransferDocument(imported, doc, { siteUrl: SITE });
      assert.deepEqual(changes(report), ['person 0/1/0', 'group 0/1/0']);
      assert.deepEqual(await members(imported, ids.developers), [ids.carol]);
      const envAcl = await imported.db
        .selectFrom('fh_environment_acl')
        .select(['environment_id', 'roles'])
        .where('group_id', '=', ids.developers)
        .execute();
      assert.deepEqual(envAcl, [{ environment_id: ids.dev, roles: 'READ' }]);
      const bob = await imported.db
        .selectFrom('fh_person')
        .selectAll()
        .where('id', '=', ids.bob)
        .executeTakeFirstOrThrow();
      assert.equal(bob.when_archived, null);
      assert.equal(Number(bob.version), 2);
      // and back to the original file
      const back = await transfer.importTransferDocument(imported, sample(), { siteUrl: SITE });
      assert.deepEqual(changes(back), ['person 0/1/0', 'group 0/1/0']);
    });

    it('exports people and groups that import into a fresh database and export byte-identical', {
      skip,
    }, async () => {
      const exported = await exportWithPeople(imported);
      const doc = transfer.parseTransferDocument(exported);
      assert.deepEqual(
        doc.people!.map((p) => [p.email, p.type, p.deactivated]),
        [
          ['ada@example.com', 'person', false],
          ['bob@example.com', 'person', true],
          ['carol@example.com', 'person', false],
          [`${ids.robot}@admin.sa.featurehub.io`, 'serviceAccount', false],
        ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
        'people by email',
      );
      assert.deepEqual(
        doc.organisation.groups!.map((g) => g.id),
        [ids.superusers],
      );
      assert.deepEqual(
        doc.portfolios[0]!.groups!.map((g) => [g.name, g.members.length]),
        [
          ['Developers', 3],
          ['Retail Administrators', 1],
        ],
      );
      const copy = await fresh();
      await transfer.importTransferDocument(copy, doc);
      assert.equal(await exportWithPeople(copy), exported, 'export → import → export is byte-identical');
      // without the option: no people and no groups
      const plain = await transfer.exportTransferDocument(imported.db, {});
      assert.equal(plain.people, undefined);
      assert.equal(plain.organisation.groups, undefined);
      assert.equal(plain.portfolios[0]!.groups, undefined);

      // one application: its portfolio's groups with roles on it only, and only their members
      const one = transfer.parseTransferDocument(await exportWithPeople(imported, 'Backoffice'));
      assert.equal(one.organisation.groups, undefined);
      const developers = one.portfolios[0]!.groups!.find((g) => g.name === 'Developers')!;
      assert.deepEqual(developers.applications, []);
      assert.deepEqual(developers.environments, [{ environment: ids.office, roles: ['READ'] }]);
      assert.deepEqual(one.people!.map((p) => p.id).sort(), [ids.ada, ids.bob, ids.carol, ids.robot].sort());
    });

    it('a registration link from the import registers the person on our server, who can then log in', {
      skip,
    }, async () => {
      const url = new URL(firstReport.registrations.find((r) => r.email === 'carol@example.com')!.url);
      const token = url.searchParams.get('token')!;
      server = await startRole('party', {
        env: { DB_URL: open[0]!.test.url },
        timeoutMs: 30_000,
      });
      await server.waitUntilReady(20_000);
      const client = new MrClient(server.baseUrl);
      const registered = await client.post('/authentication', {
        registrationToken: token,
        email: 'carol@example.com',
        name: 'Carol',
        password: 'a-long-password-1',
        confirmPassword: 'a-long-password-1',
      });
      assert.equal(registered.status, 200, JSON.stringify(registered.body));
      const login = await client.post('/login', {
        email: 'carol@example.com',
        password: 'a-long-password-1',
      });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      const me = (login.body as any).person;
      assert.equal(me.id.id, ids.carol);
      // Carol is in the superusers group of the file: she sees every portfolio
      const portfolios = await client.withToken((login.body as any).accessToken).get('/portfolio');
      assert.equal(portfolios.status, 200);
      assert.deepEqual(
        (portfolios.body as any[]).map((p) => p.id),
        [ids.portfolio],
      );
      await server.stop('SIGTERM');
      server = undefined;
      // the registered person keeps their password on a re-import, and is no longer listed
      const before = await imported.db
        .selectFrom('fh_person')
        .selectAll()
        .where('id', '=', ids.carol)
        .executeTakeFirstOrThrow();
      assert.ok(before.password_hash);
      const report = await transfer.importTransferDocument(imported, sample(), { siteUrl: SITE });
      assert.deepEqual(changes(report), []);
      assert.deepEqual(
        report.registrations.map((r) => r.email),
        ['ada@example.com'],
      );
      const afterwards = await imported.db
        .selectFrom('fh_person')
        .selectAll()
        .where('id', '=', ids.carol)
        .executeTakeFirstOrThrow();
      assert.equal(afterwards.password_hash, before.password_hash);
    });

    it("the file's superusers group and a known email land on the target's own, whose password stays", {
      skip,
    }, async () => {
      const target = await fresh();
      const now = new Date();
      const orgId = id();
      const superId = id();
      const adaHere = id();
      await target.db
        .insertInto('fh_organisation')
        .values({
          id: orgId,
          name: 'Here',
          group_id: null,
          when_archived: null,
          version: 1,
          when_created: now,
          when_updated: now,
        })
        .execute();
      await target.db
        .insertInto('fh_person')
        .values({
          id: adaHere,
          email: 'ada@example.com',
          name: 'Ada Here',
          person_type: 'PERSON',
          password_hash: 'kept-hash',
          password_alg: 'PBKDF2',
          password_requires_reset: false,
          registration_token: null,
          registration_token_expiry: null,
          when_last_authenticated: null,
          created_by: null,
          changed_by: null,
          version: 1,
          when_created: now,
          when_updated: now,
          when_archived: null,
        })
        .execute();
      await target.db
        .insertInto('fh_group')
        .values({
          id: superId,
          organisation_id: orgId,
          portfolio_id: null,
          name_scope: orgId,
          name: 'Superusers Here',
          is_admin: true,
          created_by: null,
          archive_key: '',
          when_archived: null,
          version: 1,
          when_created: now,
          when_updated: now,
        })
        .execute();
      await target.db
        .insertInto('fh_group_member')
        .values({ group_id: superId, person_id: adaHere })
        .execute();

      const report = await transfer.importTransferDocument(target, sample());
      assert.ok(
        report.notes.some((n) => n.includes('ada@example.com') && n.includes(adaHere)),
        report.notes.join('\n'),
      );
      assert.ok(
        report.notes.some((n) => /the superusers group "Org Superusers" is .* on this server/.test(n)),
      );
      assert.ok(report.notes.some((n) => /registration links use http:\/\/localhost:8085/.test(n)));
      assert.deepEqual(
        report.registrations.map((r) => r.email),
        ['carol@example.com'],
      );
      assert.equal(
        await target.db
          .selectFrom('fh_group')
          .select('id')
          .where('id', '=', ids.superusers)
          .executeTakeFirst(),
        undefined,
      );
      assert.deepEqual(await members(target, superId), [adaHere, ids.carol].sort());
      assert.deepEqual(await members(target, ids.retailAdmins), [adaHere]);
      const ada = await target.db
        .selectFrom('fh_person')
        .selectAll()
        .where('email', '=', 'ada@example.com')
        .execute();
      assert.equal(ada.length, 1);
      assert.equal(ada[0]!.password_hash, 'kept-hash');
      assert.equal(ada[0]!.name, 'Ada Here');
      const before = await snapshot(target);
      const again = await transfer.importTransferDocument(target, sample());
      assert.deepEqual(changes(again), []);
      assert.equal(await snapshot(target), before);
    });

    it('per application: progress after each step; killed after step 2 and re-run, it equals a full import', {
      skip,
    }, async () => {
      const dry = await fresh();
      const empty = await snapshot(dry);
      const dryProgress: transfer.ImportProgress[] = [];
      const dryReport = await transfer.importTransferDocument(dry, sample(), {
        transactions: 'per-application',
        dryRun: true,
        onProgress: (p) => dryProgress.push(p),
      });
      assert.equal(dryReport.counts.person.created, 4);
      assert.equal(dryProgress.length, 4);
      assert.equal(await snapshot(dry), empty, 'a dry run writes nothing');

      const target = await fresh();
      await assert.rejects(
        transfer.importTransferDocument(target, sample(), {
          transactions: 'per-application',
          siteUrl: SITE,
          onProgress: (p) => {
            if (p.done === 2) throw new Error('killed');
          },
        }),
        /killed/,
      );
      // step 1 (people) and the first application are there; the second application and the groups are not
      const count = async (table: 'fh_person' | 'fh_application' | 'fh_group') =>
        (await target.db.selectFrom(table).select('id').execute()).length;
      assert.equal(await count('fh_person'), 4);
      assert.equal(await count('fh_application'), 1);
      assert.equal(await count('fh_group'), 0);

      const progress: transfer.ImportProgress[] = [];
      const rerun = await transfer.importTransferDocument(target, sample(), {
        transactions: 'per-application',
        siteUrl: SITE,
        onProgress: (p) => progress.push(p),
      });
      assert.deepEqual(
        progress.map((p) => `${p.done}/${p.total} ${p.step}`),
        [
          '1/4 organisation, portfolios, feature filters and people',
          '2/4 application "Backoffice"',
          '3/4 application "Shop"',
          '4/4 groups and service accounts',
        ],
      );
      assert.deepEqual(rerun.counts.person, { created: 0, updated: 0, unchanged: 4, archived: 0 });
      assert.deepEqual(rerun.counts.application, { created: 1, updated: 0, unchanged: 1, archived: 0 });
      assert.equal(rerun.counts.group.created, 3);
      assert.equal(rerun.registrations.length, 2, 'the links of the killed run are listed again');

      const whole = await fresh();
      const oneProgress: string[] = [];
      await transfer.importTransferDocument(whole, sample(), { onProgress: (p) => oneProgress.push(p.step) });
      assert.equal(oneProgress.length, 4);
      assert.equal(await exportWithPeople(target), await exportWithPeople(whole));
      const again = await transfer.importTransferDocument(target, sample(), {
        transactions: 'per-application',
      });
      assert.deepEqual(changes(again), []);
    });
  });
}
