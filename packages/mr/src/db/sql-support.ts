import { NotFoundError } from '@fh/service-kit';
import {
  type Expression,
  type Insertable,
  type Selectable,
  type SqlBool,
  sql,
  type Updateable,
} from 'kysely';
import type { DialectName } from './database-url.ts';
import type { Executor } from './open-database.ts';
import type { ApplicationTable, BigIntNumber, DB } from './schema.ts';
import {
  type ArchivableListQuery,
  definedOnly,
  missedUpdate,
  nowMs,
  type StoreDeps,
  toDate,
  toDateOrNull,
  toNumber,
  uniquely,
} from './store-support.ts';

/** What every SQL store is built from: the executor (database or transaction), dialect and ports. */
export interface SqlStoreContext {
  db: Executor;
  dialect: DialectName;
  deps: StoreDeps;
}

/** Case-insensitive "column contains needle", without LIKE (whose escaping differs per dialect). */
export function containsIgnoringCase(
  dialect: DialectName,
  column: string,
  needle: string,
): Expression<SqlBool> {
  const fn = dialect === 'postgres' ? sql.raw('strpos') : sql.raw('instr');
  return sql<SqlBool>`${fn}(lower(${sql.ref(column)}), ${needle.toLowerCase()}) > 0`;
}

/** The version, timestamps and archive state of a row, as the domain types carry them. */
export function archiveFieldsOf(r: {
  version: BigIntNumber;
  when_created: Date | string;
  when_updated: Date | string;
  when_archived: Date | string | null;
}): { version: number; whenCreated: Date; whenUpdated: Date; whenArchived: Date | null } {
  return {
    version: toNumber(r.version),
    whenCreated: toDate(r.when_created),
    whenUpdated: toDate(r.when_updated),
    whenArchived: toDateOrNull(r.when_archived),
  };
}

/** The tables whose rows are archived rather than deleted, freeing their name for reuse (ADR 0002). */
export type ArchivableTable =
  | 'fh_portfolio'
  | 'fh_application'
  | 'fh_environment'
  | 'fh_feature'
  | 'fh_application_strategy'
  | 'fh_feature_group'
  | 'fh_group'
  | 'fh_service_account';

/** The columns of an archivable row that the helpers below own: its version, timestamps and archive state. */
type ArchiveColumns = 'version' | 'when_created' | 'when_updated' | 'when_archived' | 'archive_key';

// All archivable tables share the columns these helpers touch; one representative table type keeps
// Kysely's typing simple inside them, while callers see the columns of their own table.
type AnyArchivable = 'fh_application';
type AnyArchivableRow = Insertable<ApplicationTable>;

/**
 * Inserts a live row: version 1, created and updated `now`, not archived, and archive_key '' so that the
 * unique key (scope, name, archive_key) makes its name clash with live rows only. A clash becomes a
 * ConflictError with `conflict` (and `code`).
 */
export async function insertLiveRow<T extends ArchivableTable>(
  ctx: SqlStoreContext,
  table: T,
  row: Omit<Insertable<DB[T]>, ArchiveColumns>,
  now: Date,
  conflict: string,
  code?: string,
): Promise<void> {
  await uniquely(
    conflict,
    () =>
      ctx.db
        .insertInto(table as AnyArchivable)
        .values({
          ...(row as unknown as AnyArchivableRow),
          version: 1,
          when_created: now,
          when_updated: now,
          when_archived: null,
          archive_key: '',
        })
        .execute(),
    code,
  );
}

/** The row `id` of `table` while it is live; with `includeArchived`, archived too. */
export async function findArchivableRow<T extends ArchivableTable>(
  db: Executor,
  table: T,
  id: string,
  includeArchived = false,
): Promise<Selectable<DB[T]> | undefined> {
  const row = await db
    .selectFrom(table as AnyArchivable)
    .selectAll()
    .where('id', '=', id)
    .$if(!includeArchived, (qb) => qb.where('when_archived', 'is', null))
    .executeTakeFirst();
  return row as Selectable<DB[T]> | undefined;
}

/** The live row of `table` whose columns equal `match`: a name or key in its scope, unique among live rows. */
export async function findLiveRow<T extends ArchivableTable>(
  db: Executor,
  table: T,
  match: Partial<Record<keyof DB[T] & string, string>>,
): Promise<Selectable<DB[T]> | undefined> {
  let query = db.selectFrom(table as AnyArchivable).selectAll();
  for (const [column, value] of Object.entries(match) as [string, string][]) {
    query = query.where(column as 'name', '=', value);
  }
  const row = await query.where('when_archived', 'is', null).executeTakeFirst();
  return row as Selectable<DB[T]> | undefined;
}

/**
 * The rows of `table` in `scope` (one value per column: undefined matches any, null only NULL), by name then id:
 * only `query.ids` when given, live ones unless `query.includeArchived`, and names containing `query.nameContains`
 * ignoring case.
 */
export async function listRowsByName<T extends ArchivableTable>(
  ctx: SqlStoreContext,
  table: T,
  scope: Partial<Record<keyof DB[T] & string, string | null | undefined>>,
  query: ArchivableListQuery,
): Promise<Selectable<DB[T]>[]> {
  if (query.ids && query.ids.length === 0) return [];
  let select = ctx.db.selectFrom(table as AnyArchivable).selectAll();
  for (const [column, value] of Object.entries(scope) as [string, string | null | undefined][]) {
    if (value === undefined) continue;
    // created_by stands for any nullable text column here, as AnyArchivable stands for the table.
    select = select.where((eb) =>
      value === null ? eb(column as 'created_by', 'is', null) : eb(column as 'created_by', '=', value),
    );
  }
  const rows = await select
    .$if(query.ids !== undefined, (qb) => qb.where('id', 'in', query.ids!))
    .$if(!query.includeArchived, (qb) => qb.where('when_archived', 'is', null))
    .$if(!!query.nameContains, (qb) =>
      qb.where(containsIgnoringCase(ctx.dialect, 'name', query.nameContains!)),
    )
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows as Selectable<DB[T]>[];
}

/**
 * The versioned update of a live row: sets the defined fields of `set` and bumps version and when_updated,
 * only while the row is live and, when `version` is given, still at that version. A name clash becomes a
 * ConflictError with `conflict` (and `code`); when no row changed, says why (not found, or stale).
 */
export async function updateLiveRow<T extends ArchivableTable>(
  ctx: SqlStoreContext,
  table: T,
  entity: string,
  id: string,
  set: Omit<Updateable<DB[T]>, ArchiveColumns | 'id'>,
  version: number | undefined,
  conflict: string,
  code?: string,
): Promise<void> {
  const res = await uniquely(
    conflict,
    () =>
      ctx.db
        .updateTable(table as AnyArchivable)
        .set((eb) => ({
          ...definedOnly(set as Updateable<ApplicationTable>),
          version: eb('version', '+', 1),
          when_updated: nowMs(ctx.deps.clock),
        }))
        .where('id', '=', id)
        .where('when_archived', 'is', null)
        .$if(version !== undefined, (qb) => qb.where('version', '=', version!))
        .executeTakeFirst(),
    code,
  );
  if (Number(res.numUpdatedRows) === 0) {
    const current = (await findArchivableRow(ctx.db, table, id)) as { version: BigIntNumber } | undefined;
    missedUpdate(entity, id, current && toNumber(current.version), version);
  }
}

/**
 * Archives the live rows of `table` whose `column` is in `values`: stamps when_archived, bumps the
 * version and sets archive_key to the row id so the name is free again.
 */
export async function archiveWhere(
  db: Executor,
  table: ArchivableTable,
  column: 'id' | 'portfolio_id' | 'application_id' | 'environment_id',
  values: readonly string[],
  now: Date,
): Promise<number> {
  if (values.length === 0) return 0;
  const res = await db
    .updateTable(table as AnyArchivable)
    .set((eb) => ({
      when_archived: now,
      archive_key: eb.ref('id'),
      version: eb('version', '+', 1),
      when_updated: now,
    }))
    .where(column as 'portfolio_id', 'in', values)
    .where('when_archived', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Archives the live row `id` of `table` on its own; NotFoundError when there is none. */
export async function archiveRow(
  ctx: SqlStoreContext,
  table: ArchivableTable,
  entity: string,
  id: string,
): Promise<void> {
  if ((await archiveWhere(ctx.db, table, 'id', [id], nowMs(ctx.deps.clock))) === 0) {
    throw new NotFoundError(`${entity} ${id} not found`);
  }
}

/** The ids of the live rows of `table` whose `column` is in `values`. */
async function liveIds(
  db: Executor,
  table: 'fh_application' | 'fh_environment' | 'fh_group',
  column: 'portfolio_id' | 'application_id',
  values: readonly string[],
): Promise<string[]> {
  if (values.length === 0) return [];
  const rows = await db
    .selectFrom(table as AnyArchivable)
    .select('id')
    .where(column as 'portfolio_id', 'in', values)
    .where('when_archived', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Removes every group and service-account permission on the environments. The service accounts that
 * lose a permission get a new version, so caches comparing versions take their new permission list.
 */
export async function dropEnvironmentPermissions(
  db: Executor,
  environmentIds: readonly string[],
): Promise<void> {
  if (environmentIds.length === 0) return;
  await db.deleteFrom('fh_environment_acl').where('environment_id', 'in', environmentIds).execute();
  await db
    .updateTable('fh_service_account')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('fh_service_account_env')
        .select('service_account_id')
        .where('environment_id', 'in', environmentIds),
    )
    .execute();
  await db.deleteFrom('fh_service_account_env').where('environment_id', 'in', environmentIds).execute();
}

/** Archives applications with everything that lives inside them. */
export async function archiveApplicationsCascade(
  db: Executor,
  applicationIds: readonly string[],
  now: Date,
): Promise<void> {
  if (applicationIds.length === 0) return;
  const envIds = await liveIds(db, 'fh_environment', 'application_id', applicationIds);
  await archiveWhere(db, 'fh_feature_group', 'application_id', applicationIds, now);
  await archiveWhere(db, 'fh_environment', 'application_id', applicationIds, now);
  await archiveWhere(db, 'fh_feature', 'application_id', applicationIds, now);
  await archiveWhere(db, 'fh_application_strategy', 'application_id', applicationIds, now);
  await archiveWhere(db, 'fh_application', 'id', applicationIds, now);
  await db.deleteFrom('fh_application_acl').where('application_id', 'in', applicationIds).execute();
  await dropEnvironmentPermissions(db, envIds);
}

/** Archives groups and removes their members and permissions. */
export async function archiveGroupsCascade(
  db: Executor,
  groupIds: readonly string[],
  now: Date,
): Promise<void> {
  if (groupIds.length === 0) return;
  await archiveWhere(db, 'fh_group', 'id', groupIds, now);
  await db.deleteFrom('fh_group_member').where('group_id', 'in', groupIds).execute();
  await db.deleteFrom('fh_application_acl').where('group_id', 'in', groupIds).execute();
  await db.deleteFrom('fh_environment_acl').where('group_id', 'in', groupIds).execute();
}

/** Archives a portfolio with its applications (cascading), groups and service accounts. */
export async function archivePortfolioCascade(db: Executor, portfolioId: string, now: Date): Promise<void> {
  await archiveApplicationsCascade(
    db,
    await liveIds(db, 'fh_application', 'portfolio_id', [portfolioId]),
    now,
  );
  await archiveGroupsCascade(db, await liveIds(db, 'fh_group', 'portfolio_id', [portfolioId]), now);
  await archiveWhere(db, 'fh_service_account', 'portfolio_id', [portfolioId], now);
  await archiveWhere(db, 'fh_portfolio', 'id', [portfolioId], now);
}
