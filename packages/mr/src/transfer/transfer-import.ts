import { ConflictError } from '@fh/service-kit';
import type { Kysely } from 'kysely';
import type { Database, Executor } from '../db/open-database.ts';
import type { Clock } from '../db/store-support.ts';
import { nowMs, systemClock, toBool } from '../db/store-support.ts';
import { newClientEvalKey, newServerEvalKey } from '../service-account/api-keys.ts';
import type { TransferDocument } from './transfer-format.ts';

// Writes a transfer document into the database with the file's ids: a row that is missing is created, a row
// whose content differs is updated (its version goes up by one), an identical row is left alone, so importing
// the same file twice changes nothing. Everything runs in one transaction: a failure leaves no trace.

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
  try {
    await database.db.transaction().execute(async (tx) => {
      await new Importer(tx, options, report).run(doc);
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (e) {
    if (!(e instanceof DryRunRollback)) throw e;
  }
  report.changedEnvironments.sort();
  report.changedServiceAccounts.sort();
  return report;
}

class Importer {
  private readonly db: AnyDb;
  private readonly now: Date;
  private readonly changedEnvs = new Set<string>();
  private readonly changedAccounts = new Set<string>();
  private readonly changedFeatureIds = new Set<string>();

  constructor(
    tx: Executor,
    private readonly options: ImportOptions,
    private readonly report: ImportReport,
  ) {
    this.db = tx as unknown as AnyDb;
    this.now = nowMs(options.clock ?? systemClock);
  }

  /** Creates, updates or leaves one row; answers what it did. */
  private async upsert(spec: RowSpec): Promise<'created' | 'updated' | 'unchanged'> {
    const counts = this.report.counts[spec.kind];
    const current = (await this.db
      .selectFrom(spec.table)
      .selectAll()
      .where('id', '=', spec.id)
      .executeTakeFirst()) as Record<string, unknown> | undefined;
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

  async run(doc: TransferDocument): Promise<void> {
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
      for (const [ai, a] of p.applications.entries()) {
        await this.application(p.id, a, `${pat}/applications/${ai}`);
      }
    }
    const fileEnvironments = new Set<string>();
    for (const p of doc.portfolios)
      for (const a of p.applications) for (const e of a.environments) fileEnvironments.add(e.id);
    for (const [pi, p] of doc.portfolios.entries()) {
      for (const [si, s] of p.serviceAccounts.entries()) {
        await this.serviceAccount(p.id, s, `/portfolios/${pi}/serviceAccounts/${si}`, fileEnvironments);
      }
    }
    this.report.changedEnvironments.push(...this.changedEnvs);
    this.report.changedServiceAccounts.push(...this.changedAccounts);
  }

  private async application(
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
      const before = (await this.db
        .selectFrom('fh_environment')
        .select(['prior_environment_id', 'webhook_info'])
        .where('id', '=', e.id)
        .executeTakeFirst()) as { prior_environment_id: string | null; webhook_info: string } | undefined;
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
      const links = (await this.db
        .selectFrom('fh_feature_filter_feature')
        .select('filter_id')
        .where('feature_id', '=', f.id)
        .execute()) as { filter_id: string }[];
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
        const members = (await this.db
          .selectFrom('fh_feature_group_feature')
          .select(['feature_id', 'value'])
          .where('feature_group_id', '=', g.id)
          .execute()) as { feature_id: string; value: string | null }[];
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
    let current = (await this.db
      .selectFrom('fh_feature_value')
      .selectAll()
      .where('id', '=', v.id)
      .executeTakeFirst()) as Record<string, unknown> | undefined;
    if (current && (current['environment_id'] !== environmentId || current['feature_id'] !== featureId)) {
      throw new TransferConflictError(
        `${at}: the target holds value id ${v.id} for another environment or feature`,
      );
    }
    if (!current) {
      // The target may hold a value for this feature and environment under an id of its own; it is updated.
      current = (await this.db
        .selectFrom('fh_feature_value')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('feature_id', '=', featureId)
        .executeTakeFirst()) as Record<string, unknown> | undefined;
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
      const links = (await this.db
        .selectFrom('fh_feature_value_strategy')
        .selectAll()
        .where('feature_value_id', '=', valueId)
        .orderBy('position')
        .execute()) as { strategy_id: string; enabled: unknown; value: string | null }[];
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
      try {
        await this.db
          .insertInto('fh_feature_value')
          .values({
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
          })
          .execute();
      } catch (e) {
        throw new TransferConflictError(
          `${at}: cannot write the value of ${v.feature}: ${(e as Error).message}`,
          'transfer_conflict',
          { cause: e },
        );
      }
      counts.created++;
    }
    if (instances.length > 0) {
      await this.db
        .insertInto('fh_feature_value_strategy')
        .values(instances.map((i) => ({ feature_value_id: valueId, ...i })))
        .execute();
    }
    await this.db
      .insertInto('fh_feature_value_version')
      .values({
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
      })
      .execute();
    this.changedEnvs.add(environmentId);
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
