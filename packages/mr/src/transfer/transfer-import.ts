import { ConflictError } from '@fh/service-kit';
import type { Kysely } from 'kysely';
import { newRegistrationToken, registrationUrlFor } from '../auth/auth-service.ts';
import { defaultMrSettings } from '../core/mr-context.ts';
import type { Database, Executor } from '../db/open-database.ts';
import type { Clock } from '../db/store-support.ts';
import { nowMs, splitRoles, systemClock, toBool } from '../db/store-support.ts';
import { ADMIN_SERVICE_ACCOUNT_EMAIL_DOMAIN } from '../person/person-service.ts';
import { newClientEvalKey, newServerEvalKey } from '../service-account/api-keys.ts';
import type { TransferDocument, TransferPerson } from './transfer-format.ts';

// Writes a transfer document into the database with the file's ids: a row that is missing is created, a row
// whose content differs is updated (its version goes up by one), an identical row is left alone, so importing
// the same file twice changes nothing. By default everything runs in one transaction (a failure leaves no trace);
// per application, each step is its own (a failure leaves the finished steps, never half an application).
// Each application's rows are read in bulk first and compared in memory; people and groups come with
// --include-people files (docs/import-export.md).

export interface ImportOptions {
  /** compute and report the changes, then roll them back */
  dryRun?: boolean | undefined;
  /** archive what the file's applications no longer have (features, environments, strategies, groups) */
  prune?: boolean | undefined;
  clock?: Clock | undefined;
  /**
   * 'one' (the default, for files): the whole document in one transaction. 'per-application' (importing from a
   * running FeatureHub): organisation, portfolios, filters and people first, then one transaction per
   * application, then groups and service accounts; an interrupted run keeps what it finished and a re-run
   * continues (finished applications come out unchanged).
   */
  transactions?: 'one' | 'per-application' | undefined;
  /** called after each step (portfolio header, application, final step) with how far the import is */
  onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** the target's public address, for the registration links of people created by the import */
  siteUrl?: string | undefined;
  /** how long registration links stay valid (the MR default, 7 days, when absent) */
  registrationTokenDays?: number | undefined;
}

export interface ImportProgress {
  done: number;
  total: number;
  /** what was just finished, e.g. `application "Shop"` */
  step: string;
}

export type TransferKind =
  | 'organisation'
  | 'portfolio'
  | 'application'
  | 'environment'
  | 'feature'
  | 'featureValue'
  | 'applicationStrategy'
  | 'featureGroup'
  | 'featureFilter'
  | 'serviceAccount'
  | 'person'
  | 'group';

export interface KindCounts {
  created: number;
  updated: number;
  unchanged: number;
  archived: number;
}

export interface ImportReport {
  dryRun: boolean;
  counts: Record<TransferKind, KindCounts>;
  /** what was not written, and why */
  skipped: string[];
  /** notes for the operator (e.g. new SDK keys generated) */
  notes: string[];
  /** people the import created without a password: the link each registers with (or they sign in through SSO) */
  registrations: { email: string; url: string }[];
  /** environments whose SDK-visible state changed (caches must be refreshed) */
  changedEnvironments: string[];
  /** service accounts created or changed */
  changedServiceAccounts: string[];
  /** feature values (per environment) whose SDK-visible state may have changed */
  changedFeatureValues: { environmentId: string; featureId: string }[];
  /** features whose definition changed, or that were archived (`delete`) */
  changedFeatures: { applicationId: string; featureId: string; action: 'upsert' | 'delete' }[];
}

class DryRunRollback extends Error {}

/** Ids per lookup query: far below SQLite's, PostgreSQL's and MySQL's limits on bound parameters. */
const CHUNK = 500;
/** Bound parameters per multi-row insert (SQLite's historic limit is 999). */
const MAX_PARAMETERS = 900;

/** A write that hit something the target already holds differently (a name or id taken by another row). */
export class TransferConflictError extends ConflictError {}

// biome-ignore lint/suspicious/noExplicitAny: one generic upsert over several tables of the typed schema
type AnyDb = Kysely<any>;

interface RowSpec {
  table: string;
  kind: TransferKind;
  /** for messages: "feature FLAG" */
  label: string;
  where: string;
  id: string;
  /** the parent column that must not change (a feature cannot move to another application) */
  parent?: [column: string, value: string];
  values: Record<string, unknown>;
  json?: readonly string[];
  bools?: readonly string[];
  archivable: boolean;
}

const canonicalJson = (v: unknown): string => {
  if (typeof v !== 'string') return JSON.stringify(v ?? null);
  try {
    return JSON.stringify(JSON.parse(v));
  } catch {
    return v;
  }
};

export async function importTransferDocument(
  database: Database,
  doc: TransferDocument,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const empty = (): KindCounts => ({ created: 0, updated: 0, unchanged: 0, archived: 0 });
  const report: ImportReport = {
    dryRun: options.dryRun === true,
    counts: {
      organisation: empty(),
      portfolio: empty(),
      application: empty(),
      environment: empty(),
      feature: empty(),
      featureValue: empty(),
      applicationStrategy: empty(),
      featureGroup: empty(),
      featureFilter: empty(),
      serviceAccount: empty(),
      person: empty(),
      group: empty(),
    },
    skipped: [],
    notes: [],
    registrations: [],
    changedEnvironments: [],
    changedServiceAccounts: [],
    changedFeatureValues: [],
    changedFeatures: [],
  };
  const importer = new Importer(options, report);
  const applications = doc.portfolios.flatMap((p, pi) =>
    p.applications.map((a, ai) => ({ portfolioId: p.id, a, at: `/portfolios/${pi}/applications/${ai}` })),
  );
  const steps: { step: string; run: () => Promise<void> }[] = [
    { step: 'organisation, portfolios, feature filters and people', run: () => importer.header(doc) },
    ...applications.map(({ portfolioId, a, at }) => ({
      step: `application ${JSON.stringify(a.name)}`,
      run: () => importer.application(portfolioId, a, at),
    })),
    { step: 'groups and service accounts', run: () => importer.final(doc) },
  ];
  let done = 0;
  const progress = (step: string) => {
    done++;
    options.onProgress?.({ done, total: steps.length, step });
  };
  // A dry run is one transaction whatever the mode: it is rolled back as a whole.
  if (options.transactions === 'per-application' && !options.dryRun) {
    for (const s of steps) {
      await database.db.transaction().execute(async (tx) => {
        importer.use(tx);
        await s.run();
      });
      importer.committed();
      progress(s.step);
    }
  } else {
    try {
      await database.db.transaction().execute(async (tx) => {
        importer.use(tx);
        for (const s of steps) {
          await s.run();
          progress(s.step);
        }
        if (options.dryRun) throw new DryRunRollback();
      });
      importer.committed();
    } catch (e) {
      if (!(e instanceof DryRunRollback)) throw e;
      importer.committed();
    }
  }
  report.changedEnvironments.sort();
  report.changedServiceAccounts.sort();
  return report;
}

class Importer {
  private db!: AnyDb;
  private readonly now: Date;
  private readonly changedEnvs = new Set<string>();
  private readonly changedAccounts = new Set<string>();
  private readonly changedFeatureIds = new Set<string>();
  /** the target's organisation, known after the first step */
  private organisationId = '';
  /** the file's person ids → the target's (the same id, or the target's person with that email) */
  private readonly personIds = new Map<string, string>();
  /** rows read ahead for one application, by table and id: a table listed here is not queried row by row */
  private readonly prefetched = new Map<string, Map<string, Record<string, unknown>>>();
  /** new value rows to insert at the end of the application, by table (written values → strategies → history) */
  private readonly pending = new Map<string, Record<string, unknown>[]>();

  constructor(
    private readonly options: ImportOptions,
    private readonly report: ImportReport,
  ) {
    this.now = nowMs(options.clock ?? systemClock);
  }

  /** The transaction the next step runs in. */
  use(tx: Executor): void {
    this.db = tx as unknown as AnyDb;
  }

  /** After a commit: what the finished steps changed goes into the report (publishing follows). */
  committed(): void {
    this.report.changedEnvironments.push(...[...this.changedEnvs].filter((id) => !this.reportedEnvs.has(id)));
    for (const id of this.changedEnvs) this.reportedEnvs.add(id);
    this.changedEnvs.clear();
    this.report.changedServiceAccounts.push(...this.changedAccounts);
    this.changedAccounts.clear();
  }
  private readonly reportedEnvs = new Set<string>();

  /** Reads rows of `table` whose `column` is one of `values`, in slices within every dialect's parameter limit. */
  private async rowsWhereIn(
    table: string,
    column: string,
    values: readonly string[],
  ): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    const unique = [...new Set(values)];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const rows = (await this.db
        .selectFrom(table)
        .selectAll()
        .where(column, 'in', unique.slice(i, i + CHUNK))
        .execute()) as Record<string, unknown>[];
      for (const r of rows) out.push(r);
    }
    return out;
  }

  /** Reads the rows of `table` with these ids once; `upsert` then compares in memory. */
  private async prefetch(table: string, ids: readonly string[]): Promise<void> {
    const rows = await this.rowsWhereIn(table, 'id', ids);
    this.prefetched.set(table, new Map(rows.map((r) => [r['id'] as string, r])));
  }

  private queue(table: string, row: Record<string, unknown>): void {
    const list = this.pending.get(table);
    if (list) list.push(row);
    else this.pending.set(table, [row]);
  }

  /** Writes the queued rows, several per statement. */
  private async flush(): Promise<void> {
    const order = ['fh_feature_value', 'fh_feature_value_strategy', 'fh_feature_value_version'];
    for (const table of [...this.pending.keys()].sort((x, y) => order.indexOf(x) - order.indexOf(y))) {
      const rows = this.pending.get(table)!;
      if (rows.length === 0) continue;
      const columns = Object.keys(rows[0]!).length;
      const per = Math.max(1, Math.floor(MAX_PARAMETERS / columns));
      for (let i = 0; i < rows.length; i += per) {
        await this.db
          .insertInto(table)
          .values(rows.slice(i, i + per))
          .execute();
      }
    }
    this.pending.clear();
  }

  /** Creates, updates or leaves one row; answers what it did. */
  private async upsert(spec: RowSpec): Promise<'created' | 'updated' | 'unchanged'> {
    const counts = this.report.counts[spec.kind];
    const ahead = this.prefetched.get(spec.table);
    const current = ahead
      ? ahead.get(spec.id)
      : ((await this.db.selectFrom(spec.table).selectAll().where('id', '=', spec.id).executeTakeFirst()) as
          | Record<string, unknown>
          | undefined);
    const values = spec.parent ? { ...spec.values, [spec.parent[0]]: spec.parent[1] } : spec.values;
    try {
      if (!current) {
        await this.db
          .insertInto(spec.table)
          .values({
            id: spec.id,
            ...values,
            version: 1,
            when_created: this.now,
            when_updated: this.now,
            ...(spec.archivable ? { archive_key: '', when_archived: null } : {}),
          })
          .execute();
        counts.created++;
        return 'created';
      }
      if (spec.parent && current[spec.parent[0]] !== spec.parent[1]) {
        throw new TransferConflictError(
          `${spec.where}: ${spec.label} has id ${spec.id}, which the target holds under another ${spec.parent[0].replace(/_id$/, '')} (${String(current[spec.parent[0]])})`,
        );
      }
      const differs =
        (spec.archivable && current['archive_key'] !== '') ||
        Object.entries(spec.values).some(([column, want]) => {
          const have = current[column];
          if (spec.json?.includes(column)) return canonicalJson(have) !== canonicalJson(want);
          if (spec.bools?.includes(column)) return toBool(have) !== want;
          return (have ?? null) !== (want ?? null);
        });
      if (!differs) {
        counts.unchanged++;
        return 'unchanged';
      }
      await this.db
        .updateTable(spec.table)
        .set({
          ...values,
          version: Number(current['version']) + 1,
          when_updated: this.now,
          ...(spec.archivable ? { archive_key: '', when_archived: null } : {}),
        })
        .where('id', '=', spec.id)
        .execute();
      counts.updated++;
      return 'updated';
    } catch (e) {
      if (e instanceof TransferConflictError) throw e;
      throw new TransferConflictError(
        `${spec.where}: cannot write ${spec.label} (id ${spec.id}): ${(e as Error).message.split('\n')[0]}`,
        'transfer_conflict',
        { cause: e },
      );
    }
  }

  private async archive(table: string, kind: TransferKind, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    for (const id of ids) {
      await this.db
        .updateTable(table)
        .set({ archive_key: id, when_archived: this.now, when_updated: this.now })
        .where('id', '=', id)
        .execute();
    }
    this.report.counts[kind].archived += ids.length;
  }

  /** Ids of live rows of `table` under `parent` that the file does not list. */
  private async liveNotIn(
    table: string,
    parentColumn: string,
    parent: string,
    keep: Set<string>,
  ): Promise<string[]> {
    const rows = (await this.db
      .selectFrom(table)
      .select('id')
      .where(parentColumn, '=', parent)
      .where('archive_key', '=', '')
      .execute()) as { id: string }[];
    return rows.map((r) => r.id).filter((id) => !keep.has(id));
  }

  /** Step 1: the organisation, portfolios, feature filters and people. */
  async header(doc: TransferDocument): Promise<void> {
    const org = (await this.db
      .selectFrom('fh_organisation')
      .select(['id'])
      .where('when_archived', 'is', null)
      .orderBy('when_created')
      .executeTakeFirst()) as { id: string } | undefined;
    let organisationId: string;
    if (org) {
      organisationId = org.id;
      this.report.counts.organisation.unchanged++;
      if (org.id !== doc.organisation.id) {
        this.report.notes.push(
          `the file's organisation ${doc.organisation.id} is not this server's (${org.id}); its portfolios are placed in this server's organisation`,
        );
      }
    } else {
      organisationId = doc.organisation.id;
      await this.db
        .insertInto('fh_organisation')
        .values({
          id: organisationId,
          name: doc.organisation.name,
          group_id: null,
          when_archived: null,
          version: 1,
          when_created: this.now,
          when_updated: this.now,
        })
        .execute();
      this.report.counts.organisation.created++;
    }

    for (const [pi, p] of doc.portfolios.entries()) {
      const pat = `/portfolios/${pi}`;
      await this.upsert({
        table: 'fh_portfolio',
        kind: 'portfolio',
        label: `portfolio ${JSON.stringify(p.name)}`,
        where: pat,
        id: p.id,
        parent: ['organisation_id', organisationId],
        values: { name: p.name, description: p.description },
        archivable: true,
      });
      for (const [fi, f] of p.featureFilters.entries()) {
        await this.upsert({
          table: 'fh_feature_filter',
          kind: 'featureFilter',
          label: `feature filter ${JSON.stringify(f.name)}`,
          where: `${pat}/featureFilters/${fi}`,
          id: f.id,
          parent: ['portfolio_id', p.id],
          values: { name: f.name, description: f.description },
          archivable: false,
        });
      }
    }
    this.organisationId = organisationId;
    await this.people(doc);
  }

  /** The last step: groups with their members and permissions, and SDK service accounts. */
  async final(doc: TransferDocument): Promise<void> {
    if (this.organisationId === '') throw new Error('the first step of the import has not run');
    await this.groups(doc);
    const fileEnvironments = new Set<string>();
    for (const p of doc.portfolios)
      for (const a of p.applications) for (const e of a.environments) fileEnvironments.add(e.id);
    for (const [pi, p] of doc.portfolios.entries()) {
      for (const [si, s] of p.serviceAccounts.entries()) {
        await this.serviceAccount(p.id, s, `/portfolios/${pi}/serviceAccounts/${si}`, fileEnvironments);
      }
    }
  }

  /** One application with everything in it: its rows are read ahead in bulk, compared in memory, and only what
   * differs is written. */
  async application(
    portfolioId: string,
    a: TransferDocument['portfolios'][number]['applications'][number],
    at: string,
  ): Promise<void> {
    try {
      await this.readAhead(a);
      await this.applicationRows(portfolioId, a, at);
      try {
        await this.flush();
      } catch (e) {
        throw new TransferConflictError(
          `${at}: cannot write the application's new feature values: ${(e as Error).message.split('\n')[0]}`,
          'transfer_conflict',
          { cause: e },
        );
      }
    } finally {
      this.prefetched.clear();
      this.pending.clear();
      this.valuesAhead.clear();
      this.linksAhead.clear();
    }
  }

  private readonly valuesAhead = new Map<string, Record<string, unknown>>();
  /** rows of link tables by their owner's id (feature → filters, value → strategies, feature group → features) */
  private readonly linksAhead = new Map<string, Map<string, Record<string, unknown>[]>>();

  private async readAhead(a: TransferDocument['portfolios'][number]['applications'][number]): Promise<void> {
    const envIds = a.environments.map((e) => e.id);
    const featureIds = a.features.map((f) => f.id);
    const groupIds = a.environments.flatMap((e) => e.featureGroups.map((g) => g.id));
    await this.prefetch('fh_application', [a.id]);
    await this.prefetch('fh_environment', envIds);
    await this.prefetch(
      'fh_application_strategy',
      a.strategies.map((s) => s.id),
    );
    await this.prefetch('fh_feature', featureIds);
    await this.prefetch('fh_feature_group', groupIds);
    const byOwner = async (table: string, column: string, owners: string[]) => {
      const map = new Map<string, Record<string, unknown>[]>(owners.map((o) => [o, []]));
      for (const r of await this.rowsWhereIn(table, column, owners)) map.get(r[column] as string)?.push(r);
      this.linksAhead.set(table, map);
    };
    await byOwner('fh_feature_filter_feature', 'feature_id', featureIds);
    await byOwner('fh_feature_group_feature', 'feature_group_id', groupIds);
    // Values: those of these environments (whatever their id), and any row holding one of the file's value ids.
    const values = await this.rowsWhereIn('fh_feature_value', 'environment_id', envIds);
    const known = new Set(values.map((v) => v['id'] as string));
    const fileValueIds = a.environments
      .flatMap((e) => e.values.map((v) => v.id))
      .filter((id) => !known.has(id));
    for (const r of await this.rowsWhereIn('fh_feature_value', 'id', fileValueIds)) values.push(r);
    for (const v of values) {
      this.valuesAhead.set(v['id'] as string, v);
      this.valuesAhead.set(`${v['environment_id']}/${v['feature_id']}`, v);
    }
    const strategies = new Map<string, Record<string, unknown>[]>();
    for (const r of await this.rowsWhereIn(
      'fh_feature_value_strategy',
      'feature_value_id',
      values.map((v) => v['id'] as string),
    )) {
      const k = r['feature_value_id'] as string;
      const list = strategies.get(k);
      if (list) list.push(r);
      else strategies.set(k, [r]);
    }
    for (const list of strategies.values())
      list.sort((x, y) => Number(x['position']) - Number(y['position']));
    this.linksAhead.set('fh_feature_value_strategy', strategies);
  }

  private linksOf(table: string, owner: string): Record<string, unknown>[] {
    return this.linksAhead.get(table)?.get(owner) ?? [];
  }

  private async applicationRows(
    portfolioId: string,
    a: TransferDocument['portfolios'][number]['applications'][number],
    at: string,
  ): Promise<void> {
    const appChanged =
      (await this.upsert({
        table: 'fh_application',
        kind: 'application',
        label: `application ${JSON.stringify(a.name)}`,
        where: at,
        id: a.id,
        parent: ['portfolio_id', portfolioId],
        values: { name: a.name, description: a.description },
        archivable: true,
      })) !== 'unchanged';
    const markAll = () => {
      for (const e of a.environments) this.changedEnvs.add(e.id);
    };
    if (appChanged) markAll();

    // Environments first without their promotion order (an environment may name one listed after it).
    const existingPrior = new Map<string, string | null>();
    for (const [ei, e] of a.environments.entries()) {
      const before = this.prefetched.get('fh_environment')?.get(e.id) as
        | { prior_environment_id: string | null; webhook_info: string }
        | undefined;
      existingPrior.set(e.id, before?.prior_environment_id ?? null);
      const priorDiffers =
        before !== undefined && (before.prior_environment_id ?? null) !== e.priorEnvironment;
      const result = await this.upsert({
        table: 'fh_environment',
        kind: 'environment',
        label: `environment ${JSON.stringify(e.name)}`,
        where: `${at}/environments/${ei}`,
        id: e.id,
        parent: ['application_id', a.id],
        values: {
          name: e.name,
          description: e.description,
          is_production: e.production,
          user_info: JSON.stringify(e.info),
          management_info: JSON.stringify(e.managementInfo),
          // Without --include-keys the file has no webhook settings: the target's stay as they are.
          webhook_info:
            e.webhookInfo !== undefined ? JSON.stringify(e.webhookInfo) : (before?.webhook_info ?? '{}'),
          prior_environment_id: before?.prior_environment_id ?? null,
          when_unpublished: null,
        },
        json: ['user_info', 'management_info', 'webhook_info'],
        bools: ['is_production'],
        archivable: true,
      });
      if (result !== 'unchanged') this.changedEnvs.add(e.id);
      if (priorDiffers && result === 'unchanged') {
        // only the order changed: that is a change of the environment too
        this.report.counts.environment.unchanged--;
        this.report.counts.environment.updated++;
        await this.db
          .updateTable('fh_environment')
          .set((eb) => ({ version: eb('version', '+', 1), when_updated: this.now }))
          .where('id', '=', e.id)
          .execute();
      }
    }
    for (const e of a.environments) {
      if ((existingPrior.get(e.id) ?? null) !== e.priorEnvironment) {
        await this.db
          .updateTable('fh_environment')
          .set({ prior_environment_id: e.priorEnvironment })
          .where('id', '=', e.id)
          .execute();
      }
    }

    for (const [si, s] of a.strategies.entries()) {
      await this.upsert({
        table: 'fh_application_strategy',
        kind: 'applicationStrategy',
        label: `application strategy ${JSON.stringify(s.name)}`,
        where: `${at}/strategies/${si}`,
        id: s.id,
        parent: ['application_id', a.id],
        values: { name: s.name, code: s.code, strategy: JSON.stringify(s.strategy) },
        json: ['strategy'],
        archivable: true,
      }).then((r) => r !== 'unchanged' && markAll());
    }

    const featureIdByKey = new Map<string, string>();
    for (const [fi, f] of a.features.entries()) {
      featureIdByKey.set(f.key, f.id);
      const result = await this.upsert({
        table: 'fh_feature',
        kind: 'feature',
        label: `feature ${f.key}`,
        where: `${at}/features/${fi}`,
        id: f.id,
        parent: ['application_id', a.id],
        values: {
          feature_key: f.key,
          name: f.name,
          alias: f.alias,
          value_type: f.valueType,
          description: f.description,
          link: f.link,
          meta_data: f.metadata,
          secret: f.secret,
        },
        bools: ['secret'],
        archivable: true,
      });
      const links = this.linksOf('fh_feature_filter_feature', f.id) as { filter_id: string }[];
      const have = links.map((l) => l.filter_id).sort();
      const want = [...f.featureFilters].sort();
      if (have.join() !== want.join()) {
        await this.db.deleteFrom('fh_feature_filter_feature').where('feature_id', '=', f.id).execute();
        if (want.length > 0) {
          await this.db
            .insertInto('fh_feature_filter_feature')
            .values(want.map((filter_id) => ({ filter_id, feature_id: f.id })))
            .execute();
        }
        if (result === 'unchanged') {
          this.report.counts.feature.unchanged--;
          this.report.counts.feature.updated++;
          await this.db
            .updateTable('fh_feature')
            .set((eb) => ({ version: eb('version', '+', 1), when_updated: this.now }))
            .where('id', '=', f.id)
            .execute();
        }
        markAll();
        this.changedFeatureIds.add(f.id);
      } else if (result !== 'unchanged') {
        markAll();
        this.changedFeatureIds.add(f.id);
      }
    }

    for (const [ei, e] of a.environments.entries()) {
      for (const [vi, v] of e.values.entries()) {
        await this.featureValue(
          e.id,
          featureIdByKey.get(v.feature)!,
          v,
          `${at}/environments/${ei}/values/${vi}`,
        );
      }
      for (const [gi, g] of e.featureGroups.entries()) {
        const gat = `${at}/environments/${ei}/featureGroups/${gi}`;
        const result = await this.upsert({
          table: 'fh_feature_group',
          kind: 'featureGroup',
          label: `feature group ${JSON.stringify(g.name)}`,
          where: gat,
          id: g.id,
          parent: ['environment_id', e.id],
          values: {
            application_id: a.id,
            name: g.name,
            description: g.description,
            position: g.position,
            strategies: JSON.stringify(g.strategies),
          },
          json: ['strategies'],
          archivable: true,
        });
        const members = this.linksOf('fh_feature_group_feature', g.id) as {
          feature_id: string;
          value: string | null;
        }[];
        const have = members.map((m) => `${m.feature_id}=${m.value ?? '\u0000'}`).sort();
        const wantRows = g.features.map((m) => ({
          feature_group_id: g.id,
          feature_id: featureIdByKey.get(m.feature)!,
          value: m.value,
        }));
        const want = wantRows.map((m) => `${m.feature_id}=${m.value ?? '\u0000'}`).sort();
        if (have.join('\n') !== want.join('\n')) {
          await this.db.deleteFrom('fh_feature_group_feature').where('feature_group_id', '=', g.id).execute();
          if (wantRows.length > 0)
            await this.db.insertInto('fh_feature_group_feature').values(wantRows).execute();
          if (result === 'unchanged') {
            this.report.counts.featureGroup.unchanged--;
            this.report.counts.featureGroup.updated++;
            await this.db
              .updateTable('fh_feature_group')
              .set((eb) => ({ version: eb('version', '+', 1), when_updated: this.now }))
              .where('id', '=', g.id)
              .execute();
          }
          this.changedEnvs.add(e.id);
        } else if (result !== 'unchanged') {
          this.changedEnvs.add(e.id);
        }
      }
    }

    const pruned: string[] = [];
    if (this.options.prune) {
      const keep = (items: { id: string }[]) => new Set(items.map((i) => i.id));
      const envs = await this.liveNotIn('fh_environment', 'application_id', a.id, keep(a.environments));
      const features = await this.liveNotIn('fh_feature', 'application_id', a.id, keep(a.features));
      const strategies = await this.liveNotIn(
        'fh_application_strategy',
        'application_id',
        a.id,
        keep(a.strategies),
      );
      const groups = await this.liveNotIn(
        'fh_feature_group',
        'application_id',
        a.id,
        new Set(a.environments.flatMap((e) => e.featureGroups.map((g) => g.id))),
      );
      await this.archive('fh_feature_group', 'featureGroup', groups);
      await this.archive('fh_application_strategy', 'applicationStrategy', strategies);
      await this.archive('fh_feature', 'feature', features);
      pruned.push(...features);
      await this.archive('fh_environment', 'environment', envs);
      if (groups.length + strategies.length + features.length > 0) markAll();
      for (const id of envs) this.changedEnvs.add(id);
    }
    for (const featureId of pruned) {
      this.report.changedFeatures.push({ applicationId: a.id, featureId, action: 'delete' });
    }
    for (const featureId of this.changedFeatureIds) {
      this.report.changedFeatures.push({ applicationId: a.id, featureId, action: 'upsert' });
    }
    this.changedFeatureIds.clear();
    for (const e of a.environments) {
      if (!this.changedEnvs.has(e.id)) continue;
      for (const f of a.features)
        this.report.changedFeatureValues.push({ environmentId: e.id, featureId: f.id });
    }
  }

  private async featureValue(
    environmentId: string,
    featureId: string,
    v: TransferDocument['portfolios'][number]['applications'][number]['environments'][number]['values'][number],
    at: string,
  ): Promise<void> {
    const counts = this.report.counts.featureValue;
    let current = this.valuesAhead.get(v.id);
    if (current && (current['environment_id'] !== environmentId || current['feature_id'] !== featureId)) {
      throw new TransferConflictError(
        `${at}: the target holds value id ${v.id} for another environment or feature`,
      );
    }
    if (!current) {
      // The target may hold a value for this feature and environment under an id of its own; it is updated.
      current = this.valuesAhead.get(`${environmentId}/${featureId}`);
      if (current)
        this.report.notes.push(
          `${at}: the value of ${v.feature} keeps the target's id ${String(current['id'])}`,
        );
    }
    const rollout = JSON.stringify(v.strategies);
    const instances = v.applicationStrategies.map((s, position) => ({
      strategy_id: s.strategy,
      position,
      enabled: s.enabled,
      value: s.value,
    }));
    const valueId = (current?.['id'] as string | undefined) ?? v.id;
    let version: number;
    let versionFrom: number | null;
    if (current) {
      const links = this.linksOf('fh_feature_value_strategy', valueId) as {
        strategy_id: string;
        enabled: unknown;
        value: string | null;
      }[];
      const same =
        (current['default_value'] ?? null) === v.value &&
        toBool(current['locked']) === v.locked &&
        toBool(current['retired']) === v.retired &&
        canonicalJson(current['rollout_strategies']) === rollout &&
        JSON.stringify(links.map((l) => [l.strategy_id, toBool(l.enabled), l.value ?? null])) ===
          JSON.stringify(instances.map((i) => [i.strategy_id, i.enabled, i.value]));
      if (same) {
        counts.unchanged++;
        return;
      }
      versionFrom = Number(current['version']);
      version = versionFrom + 1;
      await this.db
        .updateTable('fh_feature_value')
        .set({
          default_value: v.value,
          locked: v.locked,
          retired: v.retired,
          rollout_strategies: rollout,
          version,
          when_updated: this.now,
        })
        .where('id', '=', valueId)
        .execute();
      await this.db.deleteFrom('fh_feature_value_strategy').where('feature_value_id', '=', valueId).execute();
      counts.updated++;
    } else {
      versionFrom = null;
      version = v.version ?? 1;
      // Queued: written several rows per statement at the end of the application (no other row holds this id or
      // this environment and feature: both were read ahead).
      this.queue('fh_feature_value', {
        id: valueId,
        environment_id: environmentId,
        feature_id: featureId,
        default_value: v.value,
        locked: v.locked,
        retired: v.retired,
        rollout_strategies: rollout,
        who_updated: null,
        version,
        when_created: this.now,
        when_updated: this.now,
      });
      counts.created++;
    }
    if (current) {
      // an updated value: its row exists, its links are written now (the queue holds only new values' rows)
      if (instances.length > 0)
        await this.db
          .insertInto('fh_feature_value_strategy')
          .values(instances.map((i) => ({ feature_value_id: valueId, ...i })))
          .execute();
    } else {
      for (const i of instances) this.queue('fh_feature_value_strategy', { feature_value_id: valueId, ...i });
    }
    this.queue('fh_feature_value_version', {
      feature_value_id: valueId,
      version,
      version_from: versionFrom,
      feature_id: featureId,
      who_updated: null,
      default_value: v.value,
      locked: v.locked,
      retired: v.retired,
      rollout_strategies: rollout,
      shared_strategies: JSON.stringify(
        v.applicationStrategies.map((s) => ({
          strategyId: s.strategy,
          value: s.value,
          enabled: s.enabled,
        })),
      ),
      when_created: this.now,
    });
    this.changedEnvs.add(environmentId);
  }

  /**
   * People and admin service accounts, matched by id, else by email (the file's id then stands for the target's
   * person, who is left as they are). Someone new gets no password but a registration link; an existing person's
   * password is never touched.
   */
  private async people(doc: TransferDocument): Promise<void> {
    if (!doc.people) return;
    const counts = this.report.counts.person;
    const emailOf = (p: TransferPerson) =>
      p.email?.trim().toLowerCase() || `${p.id}@${ADMIN_SERVICE_ACCOUNT_EMAIL_DOMAIN}`;
    const byId = new Map(
      (
        await this.rowsWhereIn(
          'fh_person',
          'id',
          doc.people.map((p) => p.id),
        )
      ).map((r) => [r['id'] as string, r]),
    );
    const byEmail = new Map(
      (await this.rowsWhereIn('fh_person', 'email', doc.people.map(emailOf))).map((r) => [
        r['email'] as string,
        r,
      ]),
    );
    const siteUrl = this.options.siteUrl ?? defaultMrSettings.siteUrl;
    let listedWithDefault = false;
    const days = this.options.registrationTokenDays ?? defaultMrSettings.registrationTokenDays;
    const clock = this.options.clock ?? systemClock;
    for (const [i, p] of doc.people.entries()) {
      const at = `/people/${i}`;
      const email = emailOf(p);
      const type = p.type === 'serviceAccount' ? 'SERVICEACCOUNT' : 'PERSON';
      const current = byId.get(p.id);
      if (!current) {
        const other = byEmail.get(email);
        if (other) {
          if (other['person_type'] === 'SDKSERVICEACCOUNT')
            throw new TransferConflictError(
              `${at}: email ${email} belongs to an SDK service account of the target`,
            );
          this.personIds.set(p.id, other['id'] as string);
          this.report.notes.push(
            `${at}: ${email} is person ${String(other['id'])} on this server: the file's ${p.id} stands for them, and they are left as they are`,
          );
          counts.unchanged++;
          continue;
        }
      }
      this.personIds.set(p.id, p.id);
      if (!current) {
        const registers = p.type === 'person' && !p.deactivated;
        const registration = registers ? newRegistrationToken(clock, days) : null;
        try {
          await this.db
            .insertInto('fh_person')
            .values({
              id: p.id,
              email,
              name: p.name,
              person_type: type,
              password_hash: null,
              password_alg: null,
              password_requires_reset: false,
              registration_token: registration?.token ?? null,
              registration_token_expiry: registration?.expiry ?? null,
              when_last_authenticated: null,
              created_by: null,
              changed_by: null,
              version: 1,
              when_created: this.now,
              when_updated: this.now,
              when_archived: p.deactivated ? this.now : null,
            })
            .execute();
        } catch (e) {
          throw new TransferConflictError(
            `${at}: cannot write person ${email} (id ${p.id}): ${(e as Error).message.split('\n')[0]}`,
            'transfer_conflict',
            { cause: e },
          );
        }
        counts.created++;
        if (p.type === 'serviceAccount' && !p.deactivated)
          this.report.notes.push(
            `${at}: admin service account ${JSON.stringify(p.name ?? email)} was created without its token: reset its token on this server and give the new one to whatever used it`,
          );
        if (registration) {
          this.report.registrations.push({ email, url: registrationUrlFor(siteUrl, registration.token) });
          listedWithDefault ||= this.options.siteUrl === undefined;
        }
        continue;
      }
      if (current['person_type'] === 'SDKSERVICEACCOUNT')
        throw new TransferConflictError(`${at}: id ${p.id} is an SDK service account's on this server`);
      const archived = current['when_archived'] !== null && current['when_archived'] !== undefined;
      const differs =
        current['email'] !== email ||
        (current['name'] ?? null) !== p.name ||
        current['person_type'] !== type ||
        archived !== p.deactivated;
      if (differs) {
        try {
          await this.db
            .updateTable('fh_person')
            .set({
              email,
              name: p.name,
              person_type: type,
              when_archived: p.deactivated
                ? archived
                  ? (current['when_archived'] as Date)
                  : this.now
                : null,
              version: Number(current['version']) + 1,
              when_updated: this.now,
            })
            .where('id', '=', p.id)
            .execute();
        } catch (e) {
          throw new TransferConflictError(
            `${at}: cannot write person ${email} (id ${p.id}): ${(e as Error).message.split('\n')[0]}`,
            'transfer_conflict',
            { cause: e },
          );
        }
        if (p.deactivated && !archived)
          await this.db.deleteFrom('fh_session').where('person_id', '=', p.id).execute();
        counts.updated++;
      } else counts.unchanged++;
      // Someone the import created who has not registered yet is listed again (an interrupted run lost the list).
      const token = current['registration_token'] as string | null;
      const expiry = current['registration_token_expiry'];
      if (
        !p.deactivated &&
        p.type === 'person' &&
        current['password_hash'] === null &&
        token &&
        expiry !== null &&
        new Date(expiry as string | Date).getTime() > clock.now().getTime()
      ) {
        this.report.registrations.push({ email, url: registrationUrlFor(siteUrl, token) });
        listedWithDefault ||= this.options.siteUrl === undefined;
      }
    }
    if (listedWithDefault)
      this.report.notes.push(
        `registration links use ${siteUrl} (no site address was given): replace it with this server's public address`,
      );
  }

  /**
   * Groups with members and permissions. The file's superusers group, and a portfolio's admin group, land on the
   * target's own when it has one under another id: the file's members are added to it. Any other group is
   * written by id and ends up with exactly the file's members, and the file's roles on the file's applications and
   * environments (roles on others stay).
   */
  private async groups(doc: TransferDocument): Promise<void> {
    const listed = [
      ...(doc.organisation.groups ?? []).map((g, gi) => ({
        g,
        portfolioId: null,
        at: `/organisation/groups/${gi}`,
      })),
      ...doc.portfolios.flatMap((p, pi) =>
        (p.groups ?? []).map((g, gi) => ({
          g,
          portfolioId: p.id as string | null,
          at: `/portfolios/${pi}/groups/${gi}`,
        })),
      ),
    ];
    if (listed.length === 0) return;
    const fileApplications = new Set<string>();
    const fileEnvironments = new Set<string>();
    for (const p of doc.portfolios)
      for (const a of p.applications) {
        fileApplications.add(a.id);
        for (const e of a.environments) fileEnvironments.add(e.id);
      }
    const counts = this.report.counts.group;
    const existing = new Map(
      (
        await this.rowsWhereIn(
          'fh_group',
          'id',
          listed.map((l) => l.g.id),
        )
      ).map((r) => [r['id'] as string, r]),
    );
    for (const { g, portfolioId, at } of listed) {
      let groupId = g.id;
      let mapped = false;
      if (g.admin && !existing.has(g.id)) {
        const own = (await this.db
          .selectFrom('fh_group')
          .select('id')
          .where('organisation_id', '=', this.organisationId)
          .where((eb) =>
            portfolioId === null ? eb('portfolio_id', 'is', null) : eb('portfolio_id', '=', portfolioId),
          )
          .where('is_admin', '=', true)
          .where('when_archived', 'is', null)
          .orderBy('when_created')
          .limit(1)
          .executeTakeFirst()) as { id: string } | undefined;
        if (own) {
          groupId = own.id;
          mapped = true;
          this.report.notes.push(
            `${at}: ${portfolioId === null ? 'the superusers group' : 'the admin group'} ${JSON.stringify(g.name)} is ${own.id} on this server: the file's members are added to it`,
          );
        }
      }
      let result: 'created' | 'updated' | 'unchanged';
      if (mapped) {
        counts.unchanged++;
        result = 'unchanged';
      } else {
        result = await this.upsert({
          table: 'fh_group',
          kind: 'group',
          label: `group ${JSON.stringify(g.name)}`,
          where: at,
          id: g.id,
          parent: ['name_scope', portfolioId ?? this.organisationId],
          values: {
            organisation_id: this.organisationId,
            portfolio_id: portfolioId,
            name: g.name,
            is_admin: g.admin,
          },
          bools: ['is_admin'],
          archivable: true,
        });
      }
      let changed = false;
      const members = (await this.db
        .selectFrom('fh_group_member')
        .select('person_id')
        .where('group_id', '=', groupId)
        .execute()) as { person_id: string }[];
      const have = new Set(members.map((m) => m.person_id));
      const want = new Set(g.members.map((m) => this.personIds.get(m) ?? m));
      const add = [...want].filter((m) => !have.has(m));
      const remove = mapped ? [] : [...have].filter((m) => !want.has(m));
      if (add.length > 0) {
        await this.db
          .insertInto('fh_group_member')
          .values(add.map((person_id) => ({ group_id: groupId, person_id })))
          .execute();
        changed = true;
      }
      if (remove.length > 0) {
        await this.db
          .deleteFrom('fh_group_member')
          .where('group_id', '=', groupId)
          .where('person_id', 'in', remove)
          .execute();
        changed = true;
      }
      for (const [table, column, wanted, scope] of [
        [
          'fh_application_acl',
          'application_id',
          g.applications.map((x) => [x.application, x.roles] as const),
          fileApplications,
        ],
        [
          'fh_environment_acl',
          'environment_id',
          g.environments.map((x) => [x.environment, x.roles] as const),
          fileEnvironments,
        ],
      ] as const) {
        const rows = (await this.db
          .selectFrom(table)
          .selectAll()
          .where('group_id', '=', groupId)
          .execute()) as Record<string, string>[];
        const current = new Map(
          rows.map((r) => [r[column]!, [...new Set(splitRoles(r['roles']!))].sort().join(',')]),
        );
        const target = new Map(wanted.map(([k, roles]) => [k, [...new Set(roles)].sort().join(',')]));
        for (const [k, roles] of target) {
          const now = current.get(k);
          if (now === roles) continue;
          if (now !== undefined)
            await this.db.deleteFrom(table).where('group_id', '=', groupId).where(column, '=', k).execute();
          if (roles !== '')
            await this.db
              .insertInto(table)
              .values({ group_id: groupId, [column]: k, roles })
              .execute();
          if (now !== undefined || roles !== '') changed = true;
        }
        if (!mapped) {
          for (const k of current.keys()) {
            if (scope.has(k) && !target.has(k)) {
              await this.db.deleteFrom(table).where('group_id', '=', groupId).where(column, '=', k).execute();
              changed = true;
            }
          }
        }
      }
      if (changed && result === 'unchanged') {
        counts.unchanged--;
        counts.updated++;
        await this.db
          .updateTable('fh_group')
          .set((eb) => ({ version: eb('version', '+', 1), when_updated: this.now }))
          .where('id', '=', groupId)
          .execute();
      }
    }
  }

  private async serviceAccount(
    portfolioId: string,
    s: TransferDocument['portfolios'][number]['serviceAccounts'][number],
    at: string,
    fileEnvironments: Set<string>,
  ): Promise<void> {
    const before = (await this.db
      .selectFrom('fh_service_account')
      .select(['api_key_server', 'api_key_client'])
      .where('id', '=', s.id)
      .executeTakeFirst()) as { api_key_server: string; api_key_client: string } | undefined;
    let keys = s.apiKeys;
    if (!keys) {
      if (before) keys = { serverEvaluated: before.api_key_server, clientEvaluated: before.api_key_client };
      else {
        keys = { serverEvaluated: newServerEvalKey(), clientEvaluated: newClientEvalKey() };
        this.report.notes.push(
          `${at}: service account ${JSON.stringify(s.name)} is new and the file has no keys (export with --include-keys to carry them): new SDK keys were generated`,
        );
      }
    }
    const result = await this.upsert({
      table: 'fh_service_account',
      kind: 'serviceAccount',
      label: `service account ${JSON.stringify(s.name)}`,
      where: at,
      id: s.id,
      parent: ['portfolio_id', portfolioId],
      values: {
        name: s.name,
        description: s.description,
        api_key_server: keys.serverEvaluated,
        api_key_client: keys.clientEvaluated,
        when_unpublished: null,
      },
      archivable: true,
    });
    let changed = result !== 'unchanged';

    const filters = (await this.db
      .selectFrom('fh_service_account_filter')
      .select('filter_id')
      .where('service_account_id', '=', s.id)
      .execute()) as { filter_id: string }[];
    const wantFilters = [...s.featureFilters].sort();
    if (
      filters
        .map((f) => f.filter_id)
        .sort()
        .join() !== wantFilters.join()
    ) {
      await this.db.deleteFrom('fh_service_account_filter').where('service_account_id', '=', s.id).execute();
      if (wantFilters.length > 0) {
        await this.db
          .insertInto('fh_service_account_filter')
          .values(wantFilters.map((filter_id) => ({ filter_id, service_account_id: s.id })))
          .execute();
      }
      changed = true;
    }

    const grants = (await this.db
      .selectFrom('fh_service_account_env')
      .select(['environment_id', 'roles'])
      .where('service_account_id', '=', s.id)
      .execute()) as { environment_id: string; roles: string }[];
    const have = new Map(
      grants.map((g) => [g.environment_id, g.roles.split(',').filter(Boolean).sort().join(',')]),
    );
    for (const g of s.environments) {
      const roles = [...g.roles].sort().join(',');
      const current = have.get(g.environment);
      if (current === roles) continue;
      if (current === undefined) {
        await this.db
          .insertInto('fh_service_account_env')
          .values({
            service_account_id: s.id,
            environment_id: g.environment,
            roles,
            when_created: this.now,
            when_updated: this.now,
          })
          .execute();
      } else {
        await this.db
          .updateTable('fh_service_account_env')
          .set({ roles, when_updated: this.now })
          .where('service_account_id', '=', s.id)
          .where('environment_id', '=', g.environment)
          .execute();
      }
      changed = true;
    }
    if (this.options.prune) {
      const listed = new Set(s.environments.map((g) => g.environment));
      for (const envId of have.keys()) {
        if (fileEnvironments.has(envId) && !listed.has(envId)) {
          await this.db
            .deleteFrom('fh_service_account_env')
            .where('service_account_id', '=', s.id)
            .where('environment_id', '=', envId)
            .execute();
          changed = true;
        }
      }
    }
    if (changed) {
      this.changedAccounts.add(s.id);
      if (result === 'unchanged') {
        this.report.counts.serviceAccount.unchanged--;
        this.report.counts.serviceAccount.updated++;
        await this.db
          .updateTable('fh_service_account')
          .set((eb) => ({ version: eb('version', '+', 1), when_updated: this.now }))
          .where('id', '=', s.id)
          .execute();
      }
    }
  }
}
