import { ConflictError, NotFoundError } from '@fh/service-kit';
import type { Application } from '../application/application-store.ts';
import type { Environment } from '../environment/environment-store.ts';
import type { Feature } from '../feature/feature-store.ts';
import type { FeatureFilter } from '../feature-filter/feature-filter-store.ts';
import type { FeatureGroup } from '../feature-group/feature-group-store.ts';
import type { FeatureValue, FeatureValueVersion } from '../feature-value/feature-value-store.ts';
import type { ApplicationAcl, EnvironmentAcl, Group } from '../group/group-store.ts';
import type { Organisation } from '../organisation/organisation-store.ts';
import type { Person } from '../person/person-store.ts';
import type { Session } from '../person/session-store.ts';
import type { Portfolio } from '../portfolio/portfolio-store.ts';
import type { ServiceAccount, ServiceAccountPermission } from '../service-account/service-account-store.ts';
import type { ApplicationStrategy } from '../strategy/application-strategy-store.ts';
import type { UserState } from '../user-state/user-state-store.ts';
import { type ArchivableListQuery, applyPatch, checkVersion, type StoreDeps } from './store-support.ts';

/** The in-memory "database" all fake stores of one set share. */
export interface FakeTables {
  organisations: Map<string, Organisation>;
  portfolios: Map<string, Portfolio>;
  applications: Map<string, Application>;
  environments: Map<string, Environment>;
  features: Map<string, Feature>;
  featureValues: Map<string, FeatureValue>;
  featureValueVersions: FeatureValueVersion[];
  strategies: Map<string, ApplicationStrategy>;
  featureGroups: Map<string, FeatureGroup>;
  persons: Map<string, Person>;
  /** by token hash */
  sessions: Map<string, Session>;
  groups: Map<string, Group>;
  /** `${groupId}|${personId}` */
  groupMembers: Set<string>;
  /** by `${groupId}|${applicationId}` */
  applicationAcls: Map<string, ApplicationAcl>;
  /** by `${groupId}|${environmentId}` */
  environmentAcls: Map<string, EnvironmentAcl>;
  serviceAccounts: Map<string, ServiceAccount>;
  /** by `${serviceAccountId}|${environmentId}` */
  serviceAccountPermissions: Map<string, ServiceAccountPermission>;
  /** by `${personId}|${type}|${scopeId}` */
  userStates: Map<string, UserState>;
  featureFilters: Map<string, FeatureFilter>;
  /** `${filterId}|${featureId}` */
  featureFilterUses: Set<string>;
  /** `${filterId}|${serviceAccountId}` */
  serviceAccountFilterUses: Set<string>;
}

export function emptyTables(): FakeTables {
  return {
    organisations: new Map(),
    portfolios: new Map(),
    applications: new Map(),
    environments: new Map(),
    features: new Map(),
    featureValues: new Map(),
    featureValueVersions: [],
    strategies: new Map(),
    featureGroups: new Map(),
    persons: new Map(),
    sessions: new Map(),
    groups: new Map(),
    groupMembers: new Set(),
    applicationAcls: new Map(),
    environmentAcls: new Map(),
    serviceAccounts: new Map(),
    serviceAccountPermissions: new Map(),
    userStates: new Map(),
    featureFilters: new Map(),
    featureFilterUses: new Set(),
    serviceAccountFilterUses: new Set(),
  };
}

export class FakeState {
  tables: FakeTables = emptyTables();
  constructor(readonly deps: StoreDeps) {}

  now(): Date {
    return new Date(Math.floor(this.deps.clock.now().getTime()));
  }
}

/** Callers get copies, as they would from a database, so they cannot edit the store by accident. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

// --- archivable rows, mirroring ./sql-support.ts (ADR 0002) -------------------------------------

type Archivable = { id: string; version: number; whenUpdated: Date; whenArchived: Date | null };

/** The fields of an archivable row that the helpers below own: its id, version, timestamps and archive state. */
type ArchiveFields = 'id' | 'version' | 'whenCreated' | 'whenUpdated' | 'whenArchived';

export function isLive(e: { whenArchived: Date | null }): boolean {
  return e.whenArchived === null;
}

/** Adds a live row: a new id, version 1, created and updated `now`, not archived. */
export function insertLive<T extends Archivable & { whenCreated: Date }>(
  state: FakeState,
  map: Map<string, T>,
  fields: Omit<T, ArchiveFields>,
  now = state.now(),
): T {
  const row = {
    id: state.deps.ids.next(),
    ...fields,
    version: 1,
    whenCreated: now,
    whenUpdated: now,
    whenArchived: null,
  } as unknown as T;
  map.set(row.id, row);
  return copy(row);
}

export function findLive<T extends Archivable>(
  map: Map<string, T>,
  id: string,
  includeArchived = false,
): T | undefined {
  const e = map.get(id);
  return e && (includeArchived || isLive(e)) ? e : undefined;
}

/** The first live row that matches: a name or key in its scope, unique among live rows. */
export function findLiveWhere<T extends Archivable>(
  map: Map<string, T>,
  match: (row: T) => boolean,
): T | undefined {
  return [...map.values()].find((row) => isLive(row) && match(row));
}

/**
 * The rows in scope, by name then id: only `query.ids` when given, live ones unless `query.includeArchived`, and
 * names containing `query.nameContains` ignoring case.
 */
export function listByName<T extends Archivable & { name: string | null }>(
  map: Map<string, T>,
  inScope: (row: T) => boolean,
  query: ArchivableListQuery,
): T[] {
  return [...map.values()]
    .filter(
      (row) =>
        inScope(row) &&
        (query.ids === undefined || query.ids.includes(row.id)) &&
        (query.includeArchived || isLive(row)) &&
        containsIgnoringCase(row.name, query.nameContains),
    )
    .sort(byName)
    .map(copy);
}

/** The ids of the live rows that match. */
export function liveIdsWhere<T extends Archivable>(
  map: Map<string, T>,
  match: (row: T) => boolean,
): Set<string> {
  return new Set([...map.values()].filter((row) => isLive(row) && match(row)).map((row) => row.id));
}

/**
 * Names and keys are unique among live rows only, as the unique key (scope, name, archive_key) makes them:
 * throws ConflictError when a live row other than `selfId` clashes.
 */
export function assertFreeAmongLive<T extends Archivable>(
  map: Map<string, T>,
  clash: (row: T) => boolean,
  selfId: string | undefined,
  message: string,
  code?: string,
): void {
  assertUnique(map.values(), (row) => isLive(row) && clash(row), selfId, message, code);
}

/**
 * The versioned update of a live row: applies the defined fields of `patch` and bumps version and
 * whenUpdated, only while the row is live and, when `patch.version` is given, still at that version
 * (NotFoundError, StaleVersionError otherwise). `check` sees the current row first (names still free?).
 */
export function updateLive<T extends Archivable>(
  state: FakeState,
  map: Map<string, T>,
  entity: string,
  id: string,
  patch: Partial<T> & { version?: number | undefined },
  check?: (current: T) => void,
): T {
  const current = findLive(map, id);
  checkVersion(entity, id, current, patch.version);
  if (!current) notFound(entity, id);
  check?.(current);
  const { version: _version, ...fields } = patch;
  const next = {
    ...applyPatch(current, copy(fields) as Partial<T>),
    version: current.version + 1,
    whenUpdated: state.now(),
  };
  map.set(id, next);
  return copy(next);
}

/** Archives the rows that are still live: stamps whenArchived and bumps the version. How many it archived. */
export function archiveIn<T extends Archivable>(
  map: Map<string, T>,
  ids: Iterable<string>,
  now: Date,
): number {
  let n = 0;
  for (const id of ids) {
    const e = map.get(id);
    if (!e || !isLive(e)) continue;
    map.set(id, { ...e, whenArchived: now, whenUpdated: now, version: e.version + 1 });
    n++;
  }
  return n;
}

/** Archives the live row `id` on its own and returns it; NotFoundError when there is none. */
export function archiveLive<T extends Archivable>(
  state: FakeState,
  map: Map<string, T>,
  entity: string,
  id: string,
): T {
  if (archiveIn(map, [id], state.now()) === 0) notFound(entity, id);
  return copy(map.get(id)!);
}

/** Throws ConflictError if any of `rows` (other than `selfId`) matches. */
export function assertUnique<T extends { id: string }>(
  rows: Iterable<T>,
  clash: (row: T) => boolean,
  selfId: string | undefined,
  message: string,
  code?: string,
): void {
  for (const r of rows) if (r.id !== selfId && clash(r)) throw new ConflictError(message, code);
}

export function notFound(entity: string, id: string): never {
  throw new NotFoundError(`${entity} ${id} not found`);
}

export function containsIgnoringCase(value: string | null, needle: string | undefined): boolean {
  return !needle || (value ?? '').toLowerCase().includes(needle.toLowerCase());
}

export function byName<T extends { name: string | null; id: string }>(a: T, b: T): number {
  const an = a.name ?? '';
  const bn = b.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// --- cascades, mirroring ./sql-support.ts ------------------------------------------------------

export function dropEnvironmentPermissions(t: FakeTables, environmentIds: ReadonlySet<string>): void {
  for (const [k, acl] of t.environmentAcls)
    if (environmentIds.has(acl.environmentId)) t.environmentAcls.delete(k);
  const losing = new Set<string>();
  for (const [k, p] of t.serviceAccountPermissions) {
    if (!environmentIds.has(p.environmentId)) continue;
    t.serviceAccountPermissions.delete(k);
    losing.add(p.serviceAccountId);
  }
  for (const id of losing) {
    const account = t.serviceAccounts.get(id);
    if (account) t.serviceAccounts.set(id, { ...account, version: account.version + 1 });
  }
}

export function archiveApplicationsCascade(
  t: FakeTables,
  applicationIds: ReadonlySet<string>,
  now: Date,
): void {
  const envIds = liveIdsWhere(t.environments, (e) => applicationIds.has(e.applicationId));
  archiveIn(t.environments, envIds, now);
  archiveIn(
    t.features,
    liveIdsWhere(t.features, (f) => applicationIds.has(f.applicationId)),
    now,
  );
  archiveIn(
    t.strategies,
    liveIdsWhere(t.strategies, (s) => applicationIds.has(s.applicationId)),
    now,
  );
  archiveIn(
    t.featureGroups,
    liveIdsWhere(t.featureGroups, (g) => applicationIds.has(g.applicationId)),
    now,
  );
  archiveIn(t.applications, applicationIds, now);
  for (const [k, acl] of t.applicationAcls)
    if (applicationIds.has(acl.applicationId)) t.applicationAcls.delete(k);
  dropEnvironmentPermissions(t, envIds);
}

export function archiveGroupsCascade(t: FakeTables, groupIds: ReadonlySet<string>, now: Date): void {
  archiveIn(t.groups, groupIds, now);
  for (const k of t.groupMembers) if (groupIds.has(k.split('|')[0]!)) t.groupMembers.delete(k);
  for (const [k, acl] of t.applicationAcls) if (groupIds.has(acl.groupId)) t.applicationAcls.delete(k);
  for (const [k, acl] of t.environmentAcls) if (groupIds.has(acl.groupId)) t.environmentAcls.delete(k);
}

/** Archives a portfolio with its applications (cascading), groups and service accounts. */
export function archivePortfolioCascade(t: FakeTables, portfolioId: string, now: Date): void {
  archiveApplicationsCascade(
    t,
    liveIdsWhere(t.applications, (a) => a.portfolioId === portfolioId),
    now,
  );
  archiveGroupsCascade(
    t,
    liveIdsWhere(t.groups, (g) => g.portfolioId === portfolioId),
    now,
  );
  archiveIn(
    t.serviceAccounts,
    liveIdsWhere(t.serviceAccounts, (s) => s.portfolioId === portfolioId),
    now,
  );
  archiveIn(t.portfolios, [portfolioId], now);
}
