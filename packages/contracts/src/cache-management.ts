import { type Static, Type } from 'typebox';
import { enumObject, OptionalNullable } from './enum-values.ts';
import { FeatureValueTypeSchema } from './strategy.ts';

// The messages Dachas and MR exchange to fill and heal caches (docs/messaging.md, "Dacha filling"),
// and the test-SDK update Edge sends to MR. CacheManagementMessage keeps upstream's Dacha1 shape
// (`id`, `destId`, `requestType`, `cacheState`); everything else here is ours: upstream had no
// point-to-point fill, no version digest and no reply to a test-SDK update.

const CACHE_REQUEST_TYPES = [
  'SEEKING_COMPLETE_CACHE',
  'SEEKING_REFRESH',
  'CLAIMING_MASTER',
  'CACHE_REMOVED',
  'CACHE_SOURCE',
  'DUPLICATE_MIT',
] as const;

/** Schema of {@link CacheRequestType}. */
export const CacheRequestTypeSchema = Type.Enum(CACHE_REQUEST_TYPES);
/**
 * What a cache-management message asks or announces: a starting Dacha is `SEEKING_COMPLETE_CACHE`;
 * Dachas answer with their state as `CACHE_SOURCE`; `CLAIMING_MASTER` is a vote in the election;
 * `SEEKING_REFRESH` asks one peer (`destId`) to stream its cache; `CACHE_REMOVED` says goodbye.
 * `DUPLICATE_MIT` is upstream's and never sent by us.
 */
export type CacheRequestType = Static<typeof CacheRequestTypeSchema>;
/** The request types by name. */
export const CacheRequestType = enumObject(CACHE_REQUEST_TYPES);

const CACHE_STATES = ['NONE', 'REQUESTED', 'COMPLETE'] as const;
/** Schema of {@link CacheState}. */
export const CacheStateSchema = Type.Enum(CACHE_STATES);
/** `NONE`: empty or still electing; `REQUESTED`: a master filling from MR; `COMPLETE`: can serve. */
export type CacheState = Static<typeof CacheStateSchema>;
/** The cache states by name. */
export const CacheState = enumObject(CACHE_STATES);

/**
 * A broadcast on a cache's `cacheManagement` subject (CloudEvent `cache-management-v1`). Messages with
 * a `destId` are meant for that Dacha only. `fillSubject` and `fillId` go with `SEEKING_REFRESH`: the
 * peer streams its cache to `fillSubject`, tagging every message with `fillId`.
 */
export const CacheManagementMessageSchema = Type.Object({
  /** The sender's id (random per process start). */
  id: Type.String({ minLength: 1 }),
  destId: OptionalNullable(Type.String()),
  requestType: CacheRequestTypeSchema,
  cacheState: CacheStateSchema,
  /** Upstream's master identifying token; not used by our election (the lowest `id` wins). */
  mit: Type.Optional(Type.Integer()),
  fillSubject: Type.Optional(Type.String({ minLength: 1 })),
  fillId: Type.Optional(Type.String({ minLength: 1 })),
});
/** See {@link CacheManagementMessageSchema}. */
export type CacheManagementMessage = Static<typeof CacheManagementMessageSchema>;

/**
 * A request to MR on a cache's `fullCacheRequests` subject:
 * - `versions`: answer {@link CacheVersions} (cheap; a Dacha compares it with what it holds);
 * - `fill`: stream the environments and service accounts named (all of them when both lists are
 *   absent) to `fillSubject`, then a {@link CacheFillComplete}; the reply is a {@link CacheFillAccepted}.
 */
export const MrCacheRequestSchema = Type.Union([
  Type.Object({ type: Type.Literal('versions') }),
  Type.Object({
    type: Type.Literal('fill'),
    requesterId: Type.String({ minLength: 1 }),
    fillSubject: Type.String({ minLength: 1 }),
    fillId: Type.String({ minLength: 1 }),
    environmentIds: Type.Optional(Type.Array(Type.String())),
    serviceAccountIds: Type.Optional(Type.Array(Type.String())),
  }),
]);
/** See {@link MrCacheRequestSchema}. */
export type MrCacheRequest = Static<typeof MrCacheRequestSchema>;

/**
 * MR's answer to a `versions` request: a tag per live environment and service account (see
 * {@link environmentVersionTag}, {@link serviceAccountVersionTag}). Equal tags mean equal versions.
 */
export const CacheVersionsSchema = Type.Object({
  environments: Type.Record(Type.String(), Type.String()),
  serviceAccounts: Type.Record(Type.String(), Type.String()),
});
/** See {@link CacheVersionsSchema}. */
export type CacheVersions = Static<typeof CacheVersionsSchema>;

/** MR's reply to a `fill` request: the stream is on its way. */
export const CacheFillAcceptedSchema = Type.Object({ fillId: Type.String() });
/** See {@link CacheFillAcceptedSchema}. */
export type CacheFillAccepted = Static<typeof CacheFillAcceptedSchema>;

/**
 * The last message of a fill stream (CloudEvent `cache-fill-complete-v1`), after `environments`
 * `publish-environment-v1` and `serviceAccounts` `publish-serviceaccount-v1` messages carrying the same
 * `fill-id` header. `missing…` lists asked-for records that do not exist (any more): delete them.
 */
export const CacheFillCompleteSchema = Type.Object({
  fillId: Type.String(),
  /** Who streamed: a Dacha id, or `mr`. */
  sourceId: Type.String(),
  environments: Type.Integer({ minimum: 0 }),
  serviceAccounts: Type.Integer({ minimum: 0 }),
  missingEnvironments: Type.Optional(Type.Array(Type.String())),
  missingServiceAccounts: Type.Optional(Type.Array(Type.String())),
});
/** See {@link CacheFillCompleteSchema}. */
export type CacheFillComplete = Static<typeof CacheFillCompleteSchema>;

/** The header naming the fill a streamed cache message belongs to. */
export const FILL_ID_HEADER = 'fill-id';

/** CloudEvent types of the messages above. */
export const CacheManagementCloudEvents = Object.freeze({
  cacheManagement: 'cache-management-v1',
  fillComplete: 'cache-fill-complete-v1',
} as const);

/**
 * A test-SDK update Edge accepted and MR must apply (CloudEvent `feature-update-v1`, upstream's
 * `StreamedFeatureUpdate`). The value travels in the property of its type; none of them with
 * `updatingValue` means "clear". `featureId` is ours (upstream looked the feature up by key).
 */
export const StreamedFeatureUpdateSchema = Type.Object({
  apiKey: Type.String({ minLength: 1 }),
  environmentId: Type.String({ minLength: 1 }),
  featureKey: Type.String({ minLength: 1 }),
  featureId: Type.Optional(Type.String()),
  valueType: Type.Optional(FeatureValueTypeSchema),
  valueBoolean: OptionalNullable(Type.Boolean()),
  valueString: OptionalNullable(Type.String()),
  valueNumber: OptionalNullable(Type.Number()),
  updatingValue: OptionalNullable(Type.Boolean()),
  lock: OptionalNullable(Type.Boolean()),
  organizationId: Type.Optional(Type.String()),
  portfolioId: Type.Optional(Type.String()),
  applicationId: Type.Optional(Type.String()),
  serviceKeyId: Type.Optional(Type.String()),
});
/** See {@link StreamedFeatureUpdateSchema}. */
export type StreamedFeatureUpdate = Static<typeof StreamedFeatureUpdateSchema>;

/** MR's reply to a {@link StreamedFeatureUpdate} sent as a request: an HTTP-like status. */
export const FeatureUpdateResultSchema = Type.Object({
  status: Type.Integer(),
  message: Type.Optional(Type.String()),
});
/** See {@link FeatureUpdateResultSchema}. */
export type FeatureUpdateResult = Static<typeof FeatureUpdateResultSchema>;

/** The version-bearing parts of one feature in one environment. */
export interface FeatureVersionParts {
  readonly featureId: string;
  readonly featureVersion: number;
  /** `null` when the feature has no value in the environment. */
  readonly valueVersion: number | null;
}

/**
 * A short tag of an environment's versions: the environment's own version and, per feature, the
 * definition and value versions. Every change MR publishes moves one of them, so a Dacha whose tag
 * differs from MR's has missed something. Feature order does not matter.
 */
export function environmentVersionTag(
  environmentVersion: number,
  features: Iterable<FeatureVersionParts>,
): string {
  const parts = [...features]
    .map((f) => `${f.featureId}:${f.featureVersion}:${f.valueVersion ?? '-'}`)
    .sort();
  return `${environmentVersion}/${parts.length}/${hash(parts.join(','))}`;
}

/** The service-account parts that reach caches. */
export interface ServiceAccountVersionParts {
  readonly version: number;
  readonly apiKeyClientSide: string;
  readonly apiKeyServerSide: string;
  readonly permissions: readonly {
    readonly environmentId: string;
    readonly permissions: readonly string[];
  }[];
}

/**
 * A short tag of a service account as caches hold it: version, keys and roles (permissions with no
 * role are ignored; order does not matter).
 */
export function serviceAccountVersionTag(account: ServiceAccountVersionParts): string {
  const perms = account.permissions
    .filter((p) => p.permissions.length > 0)
    .map((p) => `${p.environmentId}=${[...p.permissions].sort().join('+')}`)
    .sort();
  return `${account.version}/${hash(`${account.apiKeyClientSide}|${account.apiKeyServerSide}|${perms.join(',')}`)}`;
}

// Two 32-bit FNV-1a hashes with different offsets: 64 bits, enough to tell versions apart, and no
// dependency on node:crypto (contracts stay runnable anywhere).
function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
