import { type Static, Type } from 'typebox';
import type { MrSchemaContext } from './context.ts';
import { dateTime, int64, optionalNullable, ref, stringEnum, uuid } from './schema-kit.ts';

export const ResetApiKeyTypeSchema = stringEnum(['client_eval_only', 'server_eval_only'], {
  $id: 'ResetApiKeyType',
});
export type ResetApiKeyType = Static<typeof ResetApiKeyTypeSchema, MrSchemaContext>;

export const ServiceAccountPermissionSchema = Type.Object(
  {
    id: optionalNullable(uuid()),
    permissions: Type.Array(ref('RoleType'), { default: [] }),
    serviceAccount: optionalNullable(ref('ServiceAccount')),
    environmentId: uuid(),
    sdkUrlClientEval: optionalNullable(Type.String(), {
      description: 'Only when includeSdkUrl was asked for',
    }),
    sdkUrlServerEval: optionalNullable(Type.String(), {
      description: 'Only when includeSdkUrl was asked for',
    }),
  },
  {
    $id: 'ServiceAccountPermission',
    description: 'The permissions of an SDK service account in one environment',
  },
);
export type ServiceAccountPermission = Static<typeof ServiceAccountPermissionSchema, MrSchemaContext>;

export const CreateServiceAccountSchema = Type.Object(
  {
    name: Type.String({ maxLength: 70, minLength: 1 }),
    description: optionalNullable(Type.String({ maxLength: 400 })),
    featureFilter: optionalNullable(Type.Array(uuid()), {
      description: 'API 1.2.6: the ids of the feature filters of this service account',
    }),
    permissions: Type.Optional(Type.Array(ref('ServiceAccountPermission'), { default: [] })),
  },
  { $id: 'CreateServiceAccount' },
);
export type CreateServiceAccount = Static<typeof CreateServiceAccountSchema, MrSchemaContext>;

export const ServiceAccountSchema = Type.Object(
  {
    id: uuid(),
    name: Type.String({ maxLength: 70, minLength: 1 }),
    portfolioId: optionalNullable(uuid()),
    description: optionalNullable(Type.String({ maxLength: 400 })),
    version: optionalNullable(int64()),
    apiKeyClientSide: optionalNullable(Type.String({ maxLength: 400 }), {
      description: 'read only: the api key for client evaluated features',
    }),
    apiKeyServerSide: optionalNullable(Type.String({ maxLength: 400 }), {
      description: 'read only: the api key for server evaluated features',
    }),
    featureFilters: optionalNullable(Type.Array(uuid()), {
      description:
        'API 1.2.6: the ids of the feature filters; with any, only features carrying one are served',
    }),
    permissions: Type.Optional(Type.Array(ref('ServiceAccountPermission'), { default: [] })),
    permsInvalid: optionalNullable(Type.Boolean(), {
      description:
        'API 1.2.6: true when `permissions` does not hold all of them and must be left alone on update',
    }),
    whenArchived: optionalNullable(dateTime()),
  },
  { $id: 'ServiceAccount' },
);
export type ServiceAccount = Static<typeof ServiceAccountSchema, MrSchemaContext>;
