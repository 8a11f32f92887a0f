import { type Expression, type SqlBool, sql } from 'kysely';
import type { DialectName } from './database-url.ts';
import type { Executor } from './open-database.ts';
import type { StoreDeps } from './store-support.ts';

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

type ArchivableTable =
  | 'fh_portfolio'
  | 'fh_application'
  | 'fh_environment'
  | 'fh_feature'
  | 'fh_application_strategy'
  | 'fh_feature_group'
  | 'fh_group'
  | 'fh_service_account';

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
  // All archivable tables share these columns; one representative type keeps Kysely's typing simple.
  const res = await db
    .updateTable(table as 'fh_application')
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

async function liveIds(
  db: Executor,
  table: 'fh_application' | 'fh_environment',
  column: 'portfolio_id' | 'application_id',
  values: readonly string[],
): Promise<string[]> {
  if (values.length === 0) return [];
  const rows = await db
    .selectFrom(table as 'fh_application')
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

/** Archives a portfolio's applications (cascading), groups and service accounts. */
export async function archivePortfolioContents(db: Executor, portfolioId: string, now: Date): Promise<void> {
  await archiveApplicationsCascade(
    db,
    await liveIds(db, 'fh_application', 'portfolio_id', [portfolioId]),
    now,
  );
  const groups = await db
    .selectFrom('fh_group')
    .select('id')
    .where('portfolio_id', '=', portfolioId)
    .where('when_archived', 'is', null)
    .execute();
  await archiveGroupsCascade(
    db,
    groups.map((g) => g.id),
    now,
  );
  await archiveWhere(db, 'fh_service_account', 'portfolio_id', [portfolioId], now);
}
