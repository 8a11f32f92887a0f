import { ConflictError, NotFoundError } from '@fh/service-kit';
import type { Application } from '../application/application-store.ts';
import type { Environment } from '../environment/environment-store.ts';
import type { Feature } from '../feature/feature-store.ts';
import type { FeatureValue, FeatureValueVersion } from '../feature-value/feature-value-store.ts';
import type { ApplicationAcl, EnvironmentAcl, Group } from '../group/group-store.ts';
import type { Organisation } from '../organisation/organisation-store.ts';
import type { Person } from '../person/person-store.ts';
import type { Session } from '../person/session-store.ts';
import type { Portfolio } from '../portfolio/portfolio-store.ts';
import type { ServiceAccount, ServiceAccountPermission } from '../service-account/service-account-store.ts';
import type { ApplicationStrategy } from '../strategy/application-strategy-store.ts';
import type { UserState } from '../user-state/user-state-store.ts';
import type { StoreDeps } from './store-support.ts';

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
    persons: new Map(),
    sessions: new Map(),
    groups: new Map(),
    groupMembers: new Set(),
    applicationAcls: new Map(),
    environmentAcls: new Map(),
    serviceAccounts: new Map(),
    serviceAccountPermissions: new Map(),
    userStates: new Map(),
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

type Archivable = { id: string; version: number; whenUpdated: Date; whenArchived: Date | null };

export function isLive(e: { whenArchived: Date | null }): boolean {
  return e.whenArchived === null;
}

export function findLive<T extends Archivable>(
  map: Map<string, T>,
  id: string,
  includeArchived = false,
): T | undefined {
  const e = map.get(id);
  return e && (includeArchived || isLive(e)) ? e : undefined;
}

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
  const liveIdsWhere = <T extends Archivable>(map: Map<string, T>, pred: (e: T) => boolean) =>
    [...map.values()].filter((e) => isLive(e) && pred(e)).map((e) => e.id);
  const envIds = new Set(liveIdsWhere(t.environments, (e) => applicationIds.has(e.applicationId)));
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
