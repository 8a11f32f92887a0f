import { type Static, Type } from 'typebox';
import {
  CacheEnvironmentFeatureSchema,
  CacheServiceAccountSchema,
  PublishEnvironmentSchema,
} from './cache.ts';
import { OptionalNullable } from './enum-values.ts';
import { RoleTypeSchema } from './strategy.ts';

// The Dacha API that Edge calls (dacha-api.yaml 1.1.4) and the MR API a lazy Dacha calls
// (mr-dacha-api.yaml). Property names are the OpenAPI property names, not the `x-basename` ones.

/**
 * `GET /v2/environment/{eId}/{serviceAccountKey}?excludeRetired=`: everything Edge needs to answer
 * an SDK for one environment + API key. `etag` identifies the feature set; `fp` of each feature is
 * stripped unless `extendedDataAllowed`. Every property is optional in the upstream contract.
 */
export const DachaKeyDetailsResponseSchema = Type.Object({
  etag: Type.Optional(Type.String()),
  organizationId: Type.Optional(Type.String()),
  portfolioId: Type.Optional(Type.String()),
  applicationId: Type.Optional(Type.String()),
  /** The service account's id (not its key). */
  serviceKeyId: Type.Optional(Type.String()),
  environmentInfo: OptionalNullable(Type.Record(Type.String(), Type.String())),
  extendedDataAllowed: OptionalNullable(Type.Boolean()),
  features: Type.Optional(Type.Array(CacheEnvironmentFeatureSchema)),
  /**
   * Ours (not upstream): the key's roles in the environment and its feature filters, so Edge applies
   * them itself and can share one copy of an environment between keys.
   */
  roles: Type.Optional(Type.Array(RoleTypeSchema)),
  filters: Type.Optional(Type.Array(Type.String())),
  /** Ours: the environment's own version (`CacheEnvironment.version`). */
  environmentVersion: Type.Optional(Type.Integer()),
});
/** See {@link DachaKeyDetailsResponseSchema}. */
export type DachaKeyDetailsResponse = Static<typeof DachaKeyDetailsResponseSchema>;

/**
 * `GET /v2/environment/{eId}/{serviceAccountKey}/permissions/{featureKey}`: the key's roles in the
 * environment and the feature it wants to change (used by the Edge test PUT API).
 */
export const DachaPermissionResponseSchema = Type.Object({
  organizationId: Type.Optional(Type.String()),
  portfolioId: Type.Optional(Type.String()),
  applicationId: Type.Optional(Type.String()),
  serviceKeyId: Type.Optional(Type.String()),
  environmentInfo: OptionalNullable(Type.Record(Type.String(), Type.String())),
  roles: Type.Array(RoleTypeSchema),
  feature: CacheEnvironmentFeatureSchema,
  /** Ours (not upstream): the key's feature filters. */
  filters: Type.Optional(Type.Array(Type.String())),
});
/** See {@link DachaPermissionResponseSchema}. */
export type DachaPermissionResponse = Static<typeof DachaPermissionResponseSchema>;

/** `GET /v2/environment/{eId}/structure`: the parents of an environment. */
export const DachaStructureResponseSchema = Type.Object({
  organizationId: Type.String(),
  portfolioId: Type.String(),
  applicationId: Type.String(),
});
/** See {@link DachaStructureResponseSchema}. */
export type DachaStructureResponse = Static<typeof DachaStructureResponseSchema>;

/** The key-details request when Edge asks Dacha over the bus instead of HTTP. */
export const DachaKeyDetailsRequestSchema = Type.Object({
  eId: Type.String(),
  serviceAccountKey: Type.String(),
  excludeRetired: Type.Optional(Type.Boolean()),
});
/** See {@link DachaKeyDetailsRequestSchema}. */
export type DachaKeyDetailsRequest = Static<typeof DachaKeyDetailsRequestSchema>;

/** The permission request when Edge asks Dacha over the bus instead of HTTP. */
export const DachaPermissionRequestSchema = Type.Object({
  eId: Type.String(),
  serviceAccountKey: Type.String(),
  excludeRetired: Type.Optional(Type.Boolean()),
  featureKey: Type.String(),
});
/** See {@link DachaPermissionRequestSchema}. */
export type DachaPermissionRequest = Static<typeof DachaPermissionRequestSchema>;

/** A bus request from Edge to Dacha: exactly one of the two requests is expected. */
export const DachaNATSRequestSchema = Type.Object({
  featuresRequest: Type.Optional(DachaKeyDetailsRequestSchema),
  permissionRequest: Type.Optional(DachaPermissionRequestSchema),
});
/** See {@link DachaNATSRequestSchema}. */
export type DachaNATSRequest = Static<typeof DachaNATSRequestSchema>;

/** A bus reply from Dacha to Edge; `status` is an HTTP-like status code (200, 404, ...). */
export const DachaNATSResponseSchema = Type.Object({
  status: Type.Integer(),
  featuresResponse: Type.Optional(DachaKeyDetailsResponseSchema),
  permissionResponse: Type.Optional(DachaPermissionResponseSchema),
});
/** See {@link DachaNATSResponseSchema}. */
export type DachaNATSResponse = Static<typeof DachaNATSResponseSchema>;

/** MR `GET /dacha2/serviceAccount/{apiKey}` answer for a lazy Dacha. */
export const Dacha2ServiceAccountSchema = Type.Object({ serviceAccount: CacheServiceAccountSchema });
/** See {@link Dacha2ServiceAccountSchema}. */
export type Dacha2ServiceAccount = Static<typeof Dacha2ServiceAccountSchema>;

/** MR `GET /dacha2/environment/{id}` answer for a lazy Dacha. */
export const Dacha2EnvironmentSchema = Type.Object({ env: PublishEnvironmentSchema });
/** See {@link Dacha2EnvironmentSchema}. */
export type Dacha2Environment = Static<typeof Dacha2EnvironmentSchema>;
