import { type Static, Type } from 'typebox';
import type { MrSchemaContext } from './context.ts';
import {
  dateTime,
  int64,
  nullable,
  optionalNullable,
  ref,
  stringEnum,
  stringMap,
  uuid,
} from './schema-kit.ts';

/**
 * The Audit fields. Upstream composes them into Portfolio, Application, Environment, Group and
 * Organization with `allOf`; we spread them into flat objects (same properties, simpler errors).
 */
export const auditProperties = {
  createdBy: optionalNullable(ref('Person')),
  updatedBy: optionalNullable(ref('Person')),
  whenCreated: optionalNullable(dateTime()),
  whenUpdated: optionalNullable(dateTime()),
};

export const AuditSchema = Type.Object(auditProperties, { $id: 'Audit' });
export type Audit = Static<typeof AuditSchema, MrSchemaContext>;

export const SortOrderSchema = stringEnum(['ASC', 'DESC'], { $id: 'SortOrder' });
export type SortOrder = Static<typeof SortOrderSchema, MrSchemaContext>;

export const EnvironmentSortOrderSchema = stringEnum(['ASC', 'DESC', 'PRIORITY'], {
  $id: 'EnvironmentSortOrder',
});
export type EnvironmentSortOrder = Static<typeof EnvironmentSortOrderSchema, MrSchemaContext>;

export const CreatePortfolioSchema = Type.Object(
  {
    name: Type.String({ maxLength: 200, minLength: 1 }),
    description: nullable(Type.String({ maxLength: 400 })),
  },
  { $id: 'CreatePortfolio' },
);
export type CreatePortfolio = Static<typeof CreatePortfolioSchema, MrSchemaContext>;

export const PortfolioSchema = Type.Object(
  {
    ...auditProperties,
    id: uuid(),
    name: Type.String({ maxLength: 200, minLength: 1 }),
    description: optionalNullable(Type.String({ maxLength: 400 })),
    version: int64(),
    organizationId: optionalNullable(uuid()),
    groups: Type.Optional(Type.Array(ref('Group'), { default: [] })),
    applications: Type.Optional(Type.Array(ref('Application'), { default: [] })),
    whenArchived: optionalNullable(dateTime()),
  },
  { $id: 'Portfolio' },
);
export type Portfolio = Static<typeof PortfolioSchema, MrSchemaContext>;

export const ApplicationSummarySchema = Type.Object(
  {
    groupsHavePermission: Type.Boolean(),
    serviceAccountsHavePermission: Type.Boolean(),
    featureCount: Type.Integer(),
    environmentCount: Type.Integer(),
  },
  { $id: 'ApplicationSummary' },
);
export type ApplicationSummary = Static<typeof ApplicationSummarySchema, MrSchemaContext>;

export const CreateApplicationSchema = Type.Object(
  {
    name: Type.String({ maxLength: 100 }),
    description: Type.String({ maxLength: 400 }),
  },
  { $id: 'CreateApplication' },
);
export type CreateApplication = Static<typeof CreateApplicationSchema, MrSchemaContext>;

export const ApplicationSchema = Type.Object(
  {
    ...auditProperties,
    id: uuid(),
    name: Type.String({ maxLength: 100 }),
    description: optionalNullable(Type.String({ maxLength: 400 })),
    portfolioId: optionalNullable(uuid()),
    version: Type.Optional(int64()),
    groups: Type.Optional(Type.Array(ref('Group'), { default: [] })),
    features: Type.Optional(Type.Array(ref('Feature'), { default: [] })),
    environments: Type.Optional(Type.Array(ref('Environment'), { default: [] })),
    whenArchived: optionalNullable(dateTime()),
  },
  { $id: 'Application' },
);
export type Application = Static<typeof ApplicationSchema, MrSchemaContext>;

export const EnvironmentPermissionSchema = Type.Object(
  { id: uuid(), name: Type.String(), roles: Type.Array(ref('RoleType')) },
  { $id: 'EnvironmentPermission' },
);
export type EnvironmentPermission = Static<typeof EnvironmentPermissionSchema, MrSchemaContext>;

export const ApplicationPermissionsSchema = Type.Object(
  {
    applicationRoles: Type.Array(ref('ApplicationRoleType')),
    environments: Type.Array(ref('EnvironmentPermission')),
  },
  { $id: 'ApplicationPermissions' },
);
export type ApplicationPermissions = Static<typeof ApplicationPermissionsSchema, MrSchemaContext>;

export const CreateEnvironmentSchema = Type.Object(
  {
    name: Type.String({ maxLength: 150, minLength: 1 }),
    priorEnvironmentId: optionalNullable(uuid()),
    description: Type.String({ maxLength: 400 }),
    environmentInfo: optionalNullable(stringMap()),
    production: Type.Optional(
      Type.Boolean({ description: 'is this a production environment?', default: false }),
    ),
  },
  { $id: 'CreateEnvironment' },
);
export type CreateEnvironment = Static<typeof CreateEnvironmentSchema, MrSchemaContext>;

export const EnvironmentSchema = Type.Object(
  {
    ...auditProperties,
    id: uuid(),
    applicationId: Type.Optional(uuid()),
    name: Type.String({ maxLength: 150, minLength: 1 }),
    priorEnvironmentId: optionalNullable(uuid()),
    version: Type.Optional(int64()),
    description: optionalNullable(Type.String({ maxLength: 400 })),
    production: optionalNullable(Type.Boolean(), { description: 'is this a production environment?' }),
    groupRoles: optionalNullable(Type.Array(ref('EnvironmentGroupRole')), { default: [] }),
    features: optionalNullable(Type.Array(ref('Feature')), { default: [] }),
    environmentInfo: optionalNullable(stringMap(), { default: {} }),
    webhookEnvironmentInfo: optionalNullable(stringMap()),
    serviceAccountPermission: optionalNullable(Type.Array(ref('ServiceAccountPermission'))),
    whenArchived: optionalNullable(dateTime()),
  },
  { $id: 'Environment' },
);
export type Environment = Static<typeof EnvironmentSchema, MrSchemaContext>;

const updateEnvironmentProperties = {
  version: int64({ description: 'Version of the record, to detect updates of out of date records' }),
  name: optionalNullable(Type.String({ maxLength: 150, minLength: 1 })),
  description: optionalNullable(Type.String({ maxLength: 400 })),
  production: optionalNullable(Type.Boolean(), { description: 'is this a production environment?' }),
  environmentInfo: optionalNullable(stringMap(), {
    description: 'Settings that affect this environment, e.g. cacheControl for Edge GET responses',
  }),
  webhookEnvironmentInfo: optionalNullable(stringMap(), {
    description: 'Environment webhook url and headers',
  }),
  priorEnvironmentId: optionalNullable(uuid()),
};

export const UpdateEnvironmentSchema = Type.Object(updateEnvironmentProperties, { $id: 'UpdateEnvironment' });
export type UpdateEnvironment = Static<typeof UpdateEnvironmentSchema, MrSchemaContext>;

export const UpdateEnvironmentV2Schema = Type.Object(
  { ...updateEnvironmentProperties, id: uuid() },
  { $id: 'UpdateEnvironmentV2' },
);
export type UpdateEnvironmentV2 = Static<typeof UpdateEnvironmentV2Schema, MrSchemaContext>;
