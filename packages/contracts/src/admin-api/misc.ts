import { type Static, Type } from 'typebox';
import type { MrSchemaContext } from './context.ts';
import {
  anyValue,
  dateTime,
  int64,
  optionalNullable,
  ref,
  stringEnum,
  stringMap,
  uuid,
} from './schema-kit.ts';

// ---- cache refresh (Dacha1) ----

export const CacheRefreshRequestSchema = Type.Object(
  {
    allTheThings: optionalNullable(Type.Boolean(), { description: 'refresh the whole cache' }),
    applicationId: optionalNullable(Type.Array(uuid()), { description: 'applications to refresh' }),
    portfolioId: optionalNullable(Type.Array(uuid())),
  },
  { $id: 'CacheRefreshRequest' },
);
export type CacheRefreshRequest = Static<typeof CacheRefreshRequestSchema, MrSchemaContext>;

export const CacheRefreshResponseSchema = Type.Object(
  {
    applicationsRefreshed: optionalNullable(Type.Integer()),
    portfoliosRefreshed: optionalNullable(Type.Integer()),
    environmentsRefreshed: optionalNullable(Type.Integer()),
    serviceAccountsRefreshed: optionalNullable(Type.Integer()),
  },
  { $id: 'CacheRefreshResponse' },
);
export type CacheRefreshResponse = Static<typeof CacheRefreshResponseSchema, MrSchemaContext>;

// ---- user state ----

export const HiddenEnvironmentsSchema = Type.Object(
  {
    noneSelected: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'true when the user has in fact no selected environments',
      }),
    ),
    environmentIds: Type.Optional(Type.Array(uuid())),
  },
  { $id: 'HiddenEnvironments' },
);
export type HiddenEnvironments = Static<typeof HiddenEnvironmentsSchema, MrSchemaContext>;

// ---- webhooks ----

export const WebhookSummaryItemSchema = Type.Object(
  {
    id: uuid({ description: 'event id as stored in the database (not the cloud event id)' }),
    type: Type.Optional(Type.String({ description: 'webhook type, empty when filtered by type' })),
    method: Type.String({ description: 'POST, PUT, etc' }),
    whenSent: dateTime({ description: 'When the hook was posted' }),
    status: Type.Integer({ description: 'HTTP status code' }),
  },
  { $id: 'WebhookSummaryItem' },
);
export type WebhookSummaryItem = Static<typeof WebhookSummaryItemSchema, MrSchemaContext>;

export const WebhookSummarySchema = Type.Object(
  { max: int64(), results: Type.Array(ref('WebhookSummaryItem')) },
  { $id: 'WebhookSummary' },
);
export type WebhookSummary = Static<typeof WebhookSummarySchema, MrSchemaContext>;

export const WebhookDetailSchema = Type.Object(
  {
    whenSent: Type.Optional(dateTime()),
    status: Type.Integer({ description: 'The status of the webhook call' }),
    method: Type.String(),
    sourceSystem: Type.Optional(Type.String()),
    deliveredDataCloudEventType: Type.Optional(Type.String()),
    cloudEventType: Type.String(),
    content: Type.Optional(Type.String()),
    url: optionalNullable(Type.String(), { description: 'The URL requested, only if Admin' }),
    outboundHeaders: optionalNullable(stringMap(), {
      description: 'The headers of the outbound call, only if Admin',
    }),
    incomingHeaders: optionalNullable(stringMap(), {
      description: 'The headers that came back, only if Admin',
    }),
    result: Type.Optional(Type.String({ description: 'The body as a string if any, truncated to 1k' })),
  },
  { $id: 'WebhookDetail', description: 'webhook data' },
);
export type WebhookDetail = Static<typeof WebhookDetailSchema, MrSchemaContext>;

export const WebhookTypeDetailSchema = Type.Object(
  {
    messageType: Type.String({ description: 'The cloud event message type' }),
    description: Type.String({ description: 'What this cloud event is for' }),
    envPrefix: Type.String({ description: 'the prefix of its settings in the environment info' }),
  },
  { $id: 'WebhookTypeDetail' },
);
export type WebhookTypeDetail = Static<typeof WebhookTypeDetailSchema, MrSchemaContext>;

export const WebhookTypeDetailsSchema = Type.Object(
  { types: Type.Array(ref('WebhookTypeDetail')) },
  { $id: 'WebhookTypeDetails' },
);
export type WebhookTypeDetails = Static<typeof WebhookTypeDetailsSchema, MrSchemaContext>;

export const WebhookCheckSchema = Type.Object(
  {
    messageType: Type.String(),
    envId: uuid(),
    config: stringMap({ description: 'configuration merged into the environment info for the check' }),
  },
  { $id: 'WebhookCheck' },
);
export type WebhookCheck = Static<typeof WebhookCheckSchema, MrSchemaContext>;

// ---- feature history ----

export const FeatureHistoryOrderSchema = stringEnum(['asc', 'desc'], { $id: 'FeatureHistoryOrder' });
export type FeatureHistoryOrder = Static<typeof FeatureHistoryOrderSchema, MrSchemaContext>;

export const FeatureHistoryValueSchema = Type.Object(
  {
    version: Type.Optional(int64()),
    versionFrom: optionalNullable(int64()),
    when: Type.Optional(dateTime({ description: 'When it was created' })),
    who: Type.Optional(ref('AnemicPerson')),
    value: Type.Optional(anyValue({ description: 'the value, no type is passed back' })),
    locked: Type.Optional(Type.Boolean()),
    retired: Type.Optional(Type.Boolean()),
    rolloutStrategies: Type.Optional(Type.Array(ref('RolloutStrategy'))),
  },
  { $id: 'FeatureHistoryValue' },
);
export type FeatureHistoryValue = Static<typeof FeatureHistoryValueSchema, MrSchemaContext>;

export const FeatureHistoryItemSchema = Type.Object(
  {
    envId: Type.Optional(uuid()),
    featureValueId: Type.Optional(uuid()),
    featureId: Type.Optional(uuid()),
    history: Type.Optional(Type.Array(ref('FeatureHistoryValue'))),
  },
  { $id: 'FeatureHistoryItem' },
);
export type FeatureHistoryItem = Static<typeof FeatureHistoryItemSchema, MrSchemaContext>;

export const FeatureHistoryListSchema = Type.Object(
  {
    max: Type.Optional(int64({ description: 'The maximum number of items returned by this query' })),
    items: Type.Optional(Type.Array(ref('FeatureHistoryItem'))),
  },
  { $id: 'FeatureHistoryList' },
);
export type FeatureHistoryList = Static<typeof FeatureHistoryListSchema, MrSchemaContext>;

// ---- tracked events ----

export const TrackEventResponseSchema = Type.Object(
  {
    status: Type.Optional(Type.Integer()),
    whenReceived: Type.Optional(dateTime()),
    message: optionalNullable(Type.String()),
    headers: optionalNullable(stringMap()),
  },
  { $id: 'TrackEventResponse' },
);
export type TrackEventResponse = Static<typeof TrackEventResponseSchema, MrSchemaContext>;

export const TrackEventsSummaryItemSchema = Type.Object(
  {
    id: Type.Optional(uuid()),
    whenSent: Type.Optional(dateTime()),
    eventResponses: optionalNullable(Type.Array(ref('TrackEventResponse'))),
  },
  { $id: 'TrackEventsSummaryItem' },
);
export type TrackEventsSummaryItem = Static<typeof TrackEventsSummaryItemSchema, MrSchemaContext>;

export const TrackEventsSummarySchema = Type.Object(
  {
    count: Type.Optional(int64({ description: 'The maximum number of items returned by this query' })),
    items: Type.Optional(Type.Array(ref('TrackEventsSummaryItem'))),
  },
  { $id: 'TrackEventsSummary' },
);
export type TrackEventsSummary = Static<typeof TrackEventsSummarySchema, MrSchemaContext>;

// ---- feature groups ----

export const FeatureGroupFeatureSchema = Type.Object(
  {
    id: uuid(),
    name: Type.String(),
    key: Type.String(),
    value: Type.Optional(
      anyValue({ description: 'the value of this feature for the group strategy, if any' }),
    ),
    type: ref('FeatureValueType'),
    locked: Type.Optional(Type.Boolean()),
  },
  { $id: 'FeatureGroupFeature' },
);
export type FeatureGroupFeature = Static<typeof FeatureGroupFeatureSchema, MrSchemaContext>;

export const FeatureGroupSchema = Type.Object(
  {
    id: uuid(),
    name: Type.String(),
    order: Type.Integer(),
    description: Type.Optional(Type.String()),
    version: int64(),
    environmentId: uuid(),
    environmentName: Type.String(),
    disabled: Type.Optional(Type.Boolean({ default: false })),
    features: Type.Array(ref('FeatureGroupFeature'), { default: [] }),
    strategies: optionalNullable(Type.Array(ref('GroupRolloutStrategy')), {
      description: 'only the first one is honoured',
    }),
  },
  { $id: 'FeatureGroup' },
);
export type FeatureGroup = Static<typeof FeatureGroupSchema, MrSchemaContext>;

export const FeatureGroupUpdateFeatureSchema = Type.Object(
  {
    id: uuid(),
    value: Type.Optional(
      anyValue({ description: 'the value of this feature for the group strategy, if any' }),
    ),
  },
  { $id: 'FeatureGroupUpdateFeature' },
);
export type FeatureGroupUpdateFeature = Static<typeof FeatureGroupUpdateFeatureSchema, MrSchemaContext>;

export const FeatureGroupCreateSchema = Type.Object(
  {
    name: Type.String(),
    description: Type.Optional(Type.String()),
    environmentId: uuid(),
    disabled: Type.Optional(Type.Boolean({ default: false })),
    features: Type.Array(ref('FeatureGroupUpdateFeature')),
    strategies: optionalNullable(Type.Array(ref('GroupRolloutStrategy')), {
      description: 'only the first one is honoured',
    }),
  },
  { $id: 'FeatureGroupCreate' },
);
export type FeatureGroupCreate = Static<typeof FeatureGroupCreateSchema, MrSchemaContext>;

export const FeatureGroupUpdateSchema = Type.Object(
  {
    id: uuid(),
    name: optionalNullable(Type.String()),
    description: optionalNullable(Type.String()),
    features: optionalNullable(Type.Array(ref('FeatureGroupUpdateFeature'))),
    strategies: optionalNullable(Type.Array(ref('GroupRolloutStrategy')), {
      description: 'only the first one is honoured',
    }),
    order: optionalNullable(Type.Integer()),
    version: int64(),
  },
  { $id: 'FeatureGroupUpdate', description: 'An update: only what is given changes' },
);
export type FeatureGroupUpdate = Static<typeof FeatureGroupUpdateSchema, MrSchemaContext>;

export const FeatureGroupListFeatureSchema = Type.Object(
  { key: Type.String() },
  { $id: 'FeatureGroupListFeature' },
);
export type FeatureGroupListFeature = Static<typeof FeatureGroupListFeatureSchema, MrSchemaContext>;

export const FeatureGroupListGroupSchema = Type.Object(
  {
    id: uuid(),
    order: Type.Integer(),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    environmentName: Type.String(),
    environmentId: uuid(),
    version: int64(),
    hasStrategy: Type.Boolean(),
    features: Type.Array(ref('FeatureGroupListFeature')),
  },
  { $id: 'FeatureGroupListGroup' },
);
export type FeatureGroupListGroup = Static<typeof FeatureGroupListGroupSchema, MrSchemaContext>;

export const FeatureGroupListSchema = Type.Object(
  { count: Type.Integer(), featureGroups: Type.Array(ref('FeatureGroupListGroup')) },
  { $id: 'FeatureGroupList' },
);
export type FeatureGroupList = Static<typeof FeatureGroupListSchema, MrSchemaContext>;

// ---- system config ----

export const SystemConfigDecryptResultSchema = Type.Object(
  { result: optionalNullable(Type.String()) },
  { $id: 'SystemConfigDecryptResult' },
);
export type SystemConfigDecryptResult = Static<typeof SystemConfigDecryptResultSchema, MrSchemaContext>;

export const SystemConfigSchema = Type.Object(
  {
    key: Type.Optional(Type.String()),
    encrypted: Type.Optional(Type.Boolean()),
    version: Type.Optional(int64()),
    value: Type.Optional(anyValue({ description: 'Some value, stored as a faux-JSON object' })),
  },
  { $id: 'SystemConfig' },
);
export type SystemConfig = Static<typeof SystemConfigSchema, MrSchemaContext>;

export const SystemConfigsSchema = Type.Object(
  { configs: Type.Optional(Type.Array(ref('SystemConfig'))) },
  { $id: 'SystemConfigs' },
);
export type SystemConfigs = Static<typeof SystemConfigsSchema, MrSchemaContext>;

export const UpdatedSystemConfigSchema = Type.Object(
  {
    key: Type.Optional(Type.String()),
    version: Type.Optional(int64()),
    value: Type.Optional(anyValue({ description: 'Some value, stored as a faux-JSON object' })),
  },
  { $id: 'UpdatedSystemConfig' },
);
export type UpdatedSystemConfig = Static<typeof UpdatedSystemConfigSchema, MrSchemaContext>;

export const UpdatedSystemConfigsSchema = Type.Object(
  {
    tryOut: optionalNullable(Type.Array(Type.String())),
    configs: Type.Optional(Type.Array(ref('UpdatedSystemConfig'))),
  },
  { $id: 'UpdatedSystemConfigs' },
);
export type UpdatedSystemConfigs = Static<typeof UpdatedSystemConfigsSchema, MrSchemaContext>;
