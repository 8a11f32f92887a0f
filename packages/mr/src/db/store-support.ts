import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, StaleVersionError } from '@fh/service-kit';

/** Where stores get the time from; tests pass a controllable one. */
export interface Clock {
  now(): Date;
}

/** Where stores get new ids from; tests pass a predictable one. */
export interface IdGenerator {
  next(): string;
}

export interface StoreDeps {
  clock: Clock;
  ids: IdGenerator;
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidIds: IdGenerator = { next: () => randomUUID() };

/** The production clock and UUIDs, unless overridden. */
export function storeDeps(overrides: Partial<StoreDeps> = {}): StoreDeps {
  return { clock: overrides.clock ?? systemClock, ids: overrides.ids ?? uuidIds };
}

/** A clock that only moves when told, starting at `start` (tests). */
export function manualClock(
  start = new Date('2024-01-01T00:00:00.000Z'),
): Clock & { advance(ms: number): void } {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
  };
}

/** What the list operations of the stores of archivable rows share (ADR 0002). */
export interface ArchivableListQuery {
  /** only these rows */
  ids?: readonly string[] | undefined;
  /** archived rows too */
  includeArchived?: boolean | undefined;
  /** case-insensitive substring of the name */
  nameContains?: string | undefined;
}

/** Millisecond precision is all MySQL datetime(3) keeps; stores truncate so all dialects agree. */
export function nowMs(clock: Clock): Date {
  return new Date(Math.floor(clock.now().getTime()));
}

// --- reading row values the same way on every dialect -------------------------------------------

export function toDate(v: Date | string): Date {
  return v instanceof Date ? v : new Date(v);
}

export function toDateOrNull(v: Date | string | null | undefined): Date | null {
  return v === null || v === undefined ? null : toDate(v);
}

export function toBool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

export function toNumber(v: number | string | bigint): number {
  return Number(v);
}

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function joinRoles(roles: readonly string[]): string {
  return [...new Set(roles)].join(',');
}

export function splitRoles<T extends string>(csv: string): T[] {
  return csv
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '') as T[];
}

// --- errors ------------------------------------------------------------------------------------

/** True for a unique/primary key violation on any of the three dialects. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; errno?: unknown };
  return (
    e.code === '23505' || // PostgreSQL
    e.code === 'ER_DUP_ENTRY' ||
    e.errno === 1062 || // MySQL/MariaDB
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** Runs a write; a unique violation becomes a ConflictError with `message`. */
export async function uniquely<T>(message: string, write: () => Promise<T>, code?: string): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(message, code, { cause: err });
    throw err;
  }
}

/**
 * After a versioned update touched no row: says why. `current` is the live row's version, if any.
 */
export function missedUpdate(
  entity: string,
  id: string,
  current: number | undefined,
  expected: number | undefined,
  staleStatus?: number,
): never {
  if (current === undefined) throw new NotFoundError(`${entity} ${id} not found`);
  throw new StaleVersionError(
    `${entity} ${id} is at version ${current}, not ${expected}; reload and try again`,
    staleStatus,
  );
}

/** Fakes: the same check the SQL stores do in their WHERE clause. */
export function checkVersion(
  entity: string,
  id: string,
  row: { version: number } | undefined,
  expected: number | undefined,
  staleStatus?: number,
): void {
  if (!row) throw new NotFoundError(`${entity} ${id} not found`);
  if (expected !== undefined && row.version !== expected) {
    missedUpdate(entity, id, row.version, expected, staleStatus);
  }
}

/** Copies `patch` fields that are present (undefined = unchanged, null = clear) onto `target`. */
export function applyPatch<T extends object>(target: T, patch: Partial<T>): T {
  const out = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** Keeps only keys whose value is defined: builds the SET clause of a partial update. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
