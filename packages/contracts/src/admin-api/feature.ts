import { type Static, Type } from 'typebox';
import { FEATURE_VALUE_TYPES } from '../enums.ts';
import type { MrSchemaContext } from './context.ts';
import { anyValue, dateTime, int64, optionalNullable, ref, stringEnum, uuid } from './schema-kit.ts';

export const FeatureValueTypeSchema = stringEnum([...FEATURE_VALUE_TYPES], {
  $id: 'FeatureValueType',
});
export type FeatureValueType = Static<typeof FeatureValueTypeSchema, MrSchemaContext>;

export const CreateFeatureSchema = Type.Object(
  {
    key: Type.String({ description: 'Unique within this application' }),
    alias: optionalNullable(Type.String()),
    link: optionalNullable(Type.String()),
    name: Type.String(),
    valueType: ref('FeatureValueType'),
    secret: optionalNullable(Type.Boolean()),
    description: optionalNullable(Type.String({ maxLength: 300 })),
    metaData: optionalNullable(Type.String(), { description: 'Metadata for ADK use, stored as a CLOB' }),
    featureFilter: optionalNullable(Type.Array(uuid()), {
      description: 'API 1.2.6: the ids of the feature filters on this feature',
    }),
  },
  { $id: 'CreateFeature', description: 'Only used when creating a new feature' },
);
export type CreateFeature = Static<typeof CreateFeatureSchema, MrSchemaContext>;

export const FeatureSchema = Type.Object(
  {
    id: optionalNullable(uuid()),
    key: Type.Optional(Type.String({ description: 'Unique within this application' })),
    alias: optionalNullable(Type.String()),
    link: optionalNullable(Type.String()),
    name: Type.String(),
    valueType: Type.Optional(ref('FeatureValueType')),
    version: Type.Optional(int64({ description: 'used for optimistic locking when renaming a feature' })),
    whenArchived: optionalNullable(dateTime()),
    secret: optionalNullable(Type.Boolean()),
    description: optionalNullable(Type.String({ maxLength: 300 })),
    metaData: optionalNullable(Type.String(), { description: 'Metadata for ADK use, stored as a CLOB' }),
    featureFilter: optionalNullable(Type.Array(uuid()), {
      description: 'API 1.2.6: the ids of the feature filters on this feature',
    }),
  },
  { $id: 'Feature', description: 'A feature as it exists across all environments of an application' },
);
export type Feature = Static<typeof FeatureSchema, MrSchemaContext>;

export const ThinGroupRolloutStrategySchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    value: Type.Optional(anyValue({ description: 'The value for this strategy, currently always a string' })),
    featureGroupId: optionalNullable(uuid(), { description: 'The id of the associated feature group' }),
  },
  { $id: 'ThinGroupRolloutStrategy' },
);
export type ThinGroupRolloutStrategy = Static<typeof ThinGroupRolloutStrategySchema, MrSchemaContext>;

export const FeatureValueSchema = Type.Object(
  {
    id: optionalNullable(uuid()),
    key: Type.String(),
    locked: Type.Boolean(),
    value: Type.Optional(anyValue({ description: "Preferred now, please don't use valueX fields" })),
    valueString: optionalNullable(Type.String(), { deprecated: true }),
    valueNumber: optionalNullable(Type.Number(), { deprecated: true }),
    valueBoolean: optionalNullable(Type.Boolean(), { deprecated: true }),
    valueJson: optionalNullable(Type.String(), { deprecated: true }),
    retired: Type.Optional(
      Type.Boolean({ default: false, description: 'if true, the value is not sent to SDKs' }),
    ),
    rolloutStrategyInstances: optionalNullable(Type.Array(ref('RolloutStrategyInstance')), { default: [] }),
    rolloutStrategies: optionalNullable(Type.Array(ref('RolloutStrategy')), {
      default: [],
      description: 'custom rollout strategies that only apply to this feature value',
    }),
    sharedRolloutStrategies: optionalNullable(Type.Array(ref('RolloutStrategy')), {
      default: [],
      description: 'read only: the enabled application strategies, ignored when sent to the server',
    }),
    featureGroupStrategies: optionalNullable(Type.Array(ref('ThinGroupRolloutStrategy')), {
      default: [],
      description: 'read only: the strategies provided by feature groups',
    }),
    environmentId: optionalNullable(uuid()),
    version: Type.Optional(
      int64({ default: 0, description: 'optimistic locking; 0 for the initial version' }),
    ),
    whoUpdated: optionalNullable(ref('Person')),
    whenUpdated: optionalNullable(dateTime()),
    whatUpdated: optionalNullable(Type.String()),
  },
  { $id: 'FeatureValue' },
);
export type FeatureValue = Static<typeof FeatureValueSchema, MrSchemaContext>;

export const FeatureEnvironmentSchema = Type.Object(
  {
    environment: Type.Optional(ref('Environment')),
    roles: Type.Optional(
      Type.Array(ref('RoleType'), {
        default: [],
        description: 'the roles of this person in this environment',
      }),
    ),
    featureValue: optionalNullable(ref('FeatureValue')),
    serviceAccounts: Type.Optional(Type.Array(ref('ServiceAccount'), { default: [] })),
  },
  { $id: 'FeatureEnvironment' },
);
export type FeatureEnvironment = Static<typeof FeatureEnvironmentSchema, MrSchemaContext>;

export const EnvironmentFeatureValuesSchema = Type.Object(
  {
    environmentId: Type.Optional(uuid()),
    environmentName: Type.Optional(Type.String()),
    priorEnvironmentId: optionalNullable(uuid()),
    features: Type.Optional(
      Type.Array(ref('FeatureValue'), { description: 'the values of the features depending on access' }),
    ),
    roles: Type.Optional(
      Type.Array(ref('RoleType'), { description: 'the roles of this person in this environment' }),
    ),
  },
  { $id: 'EnvironmentFeatureValues' },
);
export type EnvironmentFeatureValues = Static<typeof EnvironmentFeatureValuesSchema, MrSchemaContext>;

export const ApplicationFeatureValuesSchema = Type.Object(
  {
    applicationId: uuid(),
    features: Type.Array(ref('Feature')),
    environments: Type.Array(ref('EnvironmentFeatureValues')),
    maxFeatures: Type.Integer(),
  },
  { $id: 'ApplicationFeatureValues' },
);
export type ApplicationFeatureValues = Static<typeof ApplicationFeatureValuesSchema, MrSchemaContext>;

export const EnvironmentFeaturesResultSchema = Type.Object(
  {
    featureValues: Type.Optional(Type.Array(ref('FeatureValue'))),
    environments: Type.Optional(Type.Array(ref('Environment'))),
    applications: Type.Optional(Type.Array(ref('Application'))),
    features: Type.Optional(Type.Array(ref('Feature'))),
  },
  { $id: 'EnvironmentFeaturesResult' },
);
export type EnvironmentFeaturesResult = Static<typeof EnvironmentFeaturesResultSchema, MrSchemaContext>;
