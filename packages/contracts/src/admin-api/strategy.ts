import { type Static, Type } from 'typebox';
import { ROLLOUT_STRATEGY_ATTRIBUTE_CONDITIONALS, ROLLOUT_STRATEGY_FIELD_TYPES } from '../enums.ts';
import { COUNTRY_NAMES, DEVICE_NAMES, PLATFORM_NAMES, WELL_KNOWN_NAMES } from '../well-known-names.ts';
import type { MrSchemaContext } from './context.ts';
import { anyValue, dateTime, optionalNullable, ref, stringEnum, uuid } from './schema-kit.ts';

export const RolloutStrategyFieldTypeSchema = stringEnum([...ROLLOUT_STRATEGY_FIELD_TYPES], {
  $id: 'RolloutStrategyFieldType',
});
export type RolloutStrategyFieldType = Static<typeof RolloutStrategyFieldTypeSchema, MrSchemaContext>;

export const RolloutStrategyAttributeConditionalSchema = stringEnum(
  [...ROLLOUT_STRATEGY_ATTRIBUTE_CONDITIONALS],
  {
    $id: 'RolloutStrategyAttributeConditional',
  },
);
export type RolloutStrategyAttributeConditional = Static<
  typeof RolloutStrategyAttributeConditionalSchema,
  MrSchemaContext
>;

export const StrategyAttributeWellKnownNamesSchema = stringEnum([...WELL_KNOWN_NAMES], {
  $id: 'StrategyAttributeWellKnownNames',
});
export type StrategyAttributeWellKnownNames = Static<
  typeof StrategyAttributeWellKnownNamesSchema,
  MrSchemaContext
>;

export const StrategyAttributeDeviceNameSchema = stringEnum([...DEVICE_NAMES], {
  $id: 'StrategyAttributeDeviceName',
});
export type StrategyAttributeDeviceName = Static<typeof StrategyAttributeDeviceNameSchema, MrSchemaContext>;

export const StrategyAttributePlatformNameSchema = stringEnum([...PLATFORM_NAMES], {
  $id: 'StrategyAttributePlatformName',
});
export type StrategyAttributePlatformName = Static<
  typeof StrategyAttributePlatformNameSchema,
  MrSchemaContext
>;

export const StrategyAttributeCountryNameSchema = stringEnum([...COUNTRY_NAMES], {
  $id: 'StrategyAttributeCountryName',
});
export type StrategyAttributeCountryName = Static<typeof StrategyAttributeCountryNameSchema, MrSchemaContext>;

export const RolloutStrategyArrayTypeSchema = anyValue({
  $id: 'RolloutStrategyArrayType',
  description: 'values depend on the field type',
});
export type RolloutStrategyArrayType = Static<typeof RolloutStrategyArrayTypeSchema, MrSchemaContext>;

export const RolloutStrategyAttributeSchema = Type.Object(
  {
    id: optionalNullable(Type.String(), { description: 'An ID that needs to exist for validation' }),
    conditional: ref('RolloutStrategyAttributeConditional'),
    fieldName: Type.String(),
    values: Type.Optional(Type.Array(ref('RolloutStrategyArrayType'), { default: [] })),
    type: ref('RolloutStrategyFieldType'),
  },
  { $id: 'RolloutStrategyAttribute' },
);
export type RolloutStrategyAttribute = Static<typeof RolloutStrategyAttributeSchema, MrSchemaContext>;

/*
 * Upstream builds the strategy shapes from BaseStrategy, BaseUIStrategy and BaseRolloutStrategy with
 * allOf. We keep those three as components and spread their properties into flat objects.
 */
const baseStrategyProperties = {
  percentage: optionalNullable(Type.Integer(), {
    description: 'value between 0 and 1000000 - four decimal places',
  }),
  percentageAttributes: optionalNullable(Type.Array(Type.String()), {
    default: [],
    description: 'attributes to derive the percentage key from instead of the user key',
  }),
  attributes: optionalNullable(Type.Array(ref('RolloutStrategyAttribute')), { default: [] }),
};

const baseUIStrategyProperties = {
  name: Type.Optional(Type.String({ description: 'names are unique in a case insensitive fashion' })),
  colouring: optionalNullable(Type.Integer(), {
    description: 'the colour used to display the strategy in the UI',
  }),
  disabled: Type.Optional(Type.Boolean({ default: false })),
  avatar: optionalNullable(Type.String({ maxLength: 200 }), { description: 'url to avatar (if any)' }),
};

const baseRolloutStrategyProperties = {
  ...baseStrategyProperties,
  value: Type.Optional(anyValue({ description: 'the value served when this strategy matches' })),
};

export const BaseStrategySchema = Type.Object(baseStrategyProperties, { $id: 'BaseStrategy' });
export type BaseStrategy = Static<typeof BaseStrategySchema, MrSchemaContext>;

export const BaseUIStrategySchema = Type.Object(baseUIStrategyProperties, { $id: 'BaseUIStrategy' });
export type BaseUIStrategy = Static<typeof BaseUIStrategySchema, MrSchemaContext>;

export const BaseRolloutStrategySchema = Type.Object(baseRolloutStrategyProperties, {
  $id: 'BaseRolloutStrategy',
});
export type BaseRolloutStrategy = Static<typeof BaseRolloutStrategySchema, MrSchemaContext>;

export const RolloutStrategySchema = Type.Object(
  {
    ...baseUIStrategyProperties,
    ...baseRolloutStrategyProperties,
    id: optionalNullable(Type.String(), {
      description: 'the server accepts null ids but never stores them as null',
    }),
  },
  { $id: 'RolloutStrategy' },
);
export type RolloutStrategy = Static<typeof RolloutStrategySchema, MrSchemaContext>;

export const GroupRolloutStrategySchema = Type.Object(
  {
    ...baseUIStrategyProperties,
    ...baseStrategyProperties,
    id: optionalNullable(Type.String(), {
      description: 'the server accepts null ids but never stores them as null',
    }),
  },
  { $id: 'GroupRolloutStrategy' },
);
export type GroupRolloutStrategy = Static<typeof GroupRolloutStrategySchema, MrSchemaContext>;

export const RolloutStrategyInstanceSchema = Type.Object(
  {
    name: optionalNullable(Type.String(), { description: 'copied from the application strategy; read only' }),
    strategyId: Type.Optional(uuid()),
    value: Type.Optional(
      anyValue({ description: 'the value for this rollout strategy for this feature value' }),
    ),
    disabled: optionalNullable(Type.Boolean(), { default: false }),
  },
  { $id: 'RolloutStrategyInstance' },
);
export type RolloutStrategyInstance = Static<typeof RolloutStrategyInstanceSchema, MrSchemaContext>;

export const RolloutStrategyViolationTypeSchema = stringEnum(
  [
    'no_name',
    'name_too_long',
    'empty_match_criteria',
    'negative_percentage',
    'percentage_over_100_percent',
    'array_attribute_no_values',
    'attr_invalid_well_known_enum',
    'attr_missing_value',
    'attr_missing_conditional',
    'attr_missing_field_name',
    'attr_missing_field_type',
    'attr_val_not_semantic_version',
    'attr_val_not_number',
    'attr_val_not_date',
    'attr_val_not_date_time',
    'attr_val_not_cidr',
    'attr_unknown_failure',
  ],
  { $id: 'RolloutStrategyViolationType' },
);
export type RolloutStrategyViolationType = Static<typeof RolloutStrategyViolationTypeSchema, MrSchemaContext>;

export const RolloutStrategyCollectionViolationTypeSchema = stringEnum(
  ['percentage_adds_over_100_percent', 'boolean_has_no_value'],
  { $id: 'RolloutStrategyCollectionViolationType' },
);
export type RolloutStrategyCollectionViolationType = Static<
  typeof RolloutStrategyCollectionViolationTypeSchema,
  MrSchemaContext
>;

export const RolloutStrategyViolationSchema = Type.Object(
  {
    id: optionalNullable(Type.String(), {
      description: 'the attribute id, if the problem is with an attribute',
    }),
    violation: ref('RolloutStrategyViolationType'),
  },
  { $id: 'RolloutStrategyViolation' },
);
export type RolloutStrategyViolation = Static<typeof RolloutStrategyViolationSchema, MrSchemaContext>;

export const RolloutStrategyValidationRequestSchema = Type.Object(
  {
    customStrategies: Type.Optional(Type.Array(ref('RolloutStrategy'))),
    sharedStrategies: Type.Optional(Type.Array(ref('RolloutStrategyInstance'))),
  },
  { $id: 'RolloutStrategyValidationRequest', description: 'Strategies to validate together' },
);
export type RolloutStrategyValidationRequest = Static<
  typeof RolloutStrategyValidationRequestSchema,
  MrSchemaContext
>;

export const CustomRolloutStrategyViolationSchema = Type.Object(
  {
    strategy: Type.Optional(ref('RolloutStrategy')),
    violations: Type.Optional(Type.Array(ref('RolloutStrategyViolation'))),
  },
  { $id: 'CustomRolloutStrategyViolation' },
);
export type CustomRolloutStrategyViolation = Static<
  typeof CustomRolloutStrategyViolationSchema,
  MrSchemaContext
>;

// Upstream names the list 'violation' here but 'violations' on the custom variant; kept as is.
export const SharedRolloutStrategyViolationSchema = Type.Object(
  {
    strategy: Type.Optional(ref('RolloutStrategyInstance')),
    violation: Type.Optional(Type.Array(ref('RolloutStrategyViolation'))),
  },
  { $id: 'SharedRolloutStrategyViolation' },
);
export type SharedRolloutStrategyViolation = Static<
  typeof SharedRolloutStrategyViolationSchema,
  MrSchemaContext
>;

// 'customStategyViolations' (sic) is the upstream wire name.
export const RolloutStrategyValidationResponseSchema = Type.Object(
  {
    customStategyViolations: Type.Optional(Type.Array(ref('CustomRolloutStrategyViolation'))),
    sharedStrategyViolations: Type.Optional(Type.Array(ref('SharedRolloutStrategyViolation'))),
    violations: Type.Optional(Type.Array(ref('RolloutStrategyCollectionViolationType'))),
  },
  { $id: 'RolloutStrategyValidationResponse' },
);
export type RolloutStrategyValidationResponse = Static<
  typeof RolloutStrategyValidationResponseSchema,
  MrSchemaContext
>;

export const CreateApplicationRolloutStrategySchema = Type.Object(
  { ...baseUIStrategyProperties, ...baseStrategyProperties },
  { $id: 'CreateApplicationRolloutStrategy' },
);
export type CreateApplicationRolloutStrategy = Static<
  typeof CreateApplicationRolloutStrategySchema,
  MrSchemaContext
>;

export const UpdateApplicationRolloutStrategySchema = Type.Object(
  {
    percentage: optionalNullable(Type.Integer(), {
      description: 'value between 0 and 1000000 - four decimal places',
    }),
    percentageAttributes: optionalNullable(Type.Array(Type.String()), { default: [] }),
    name: optionalNullable(Type.String({ maxLength: 150 }), {
      description: 'names are unique in a case insensitive fashion',
    }),
    colouring: optionalNullable(Type.Integer()),
    avatar: optionalNullable(Type.String({ maxLength: 200 })),
    disabled: optionalNullable(Type.Boolean(), { default: false }),
    attributes: optionalNullable(Type.Array(ref('RolloutStrategyAttribute'))),
    whenCreated: optionalNullable(dateTime()),
    whenUpdated: optionalNullable(dateTime()),
  },
  { $id: 'UpdateApplicationRolloutStrategy' },
);
export type UpdateApplicationRolloutStrategy = Static<
  typeof UpdateApplicationRolloutStrategySchema,
  MrSchemaContext
>;

export const ApplicationRolloutStrategySchema = Type.Object(
  {
    ...baseStrategyProperties,
    ...baseUIStrategyProperties,
    id: Type.Optional(uuid({ description: 'unique id of the strategy' })),
  },
  { $id: 'ApplicationRolloutStrategy' },
);
export type ApplicationRolloutStrategy = Static<typeof ApplicationRolloutStrategySchema, MrSchemaContext>;

export const ListApplicationRolloutStrategyItemUserSchema = Type.Object(
  {
    email: Type.Optional(Type.String()),
    name: optionalNullable(Type.String(), { description: 'They may not have set their name yet' }),
  },
  { $id: 'ListApplicationRolloutStrategyItemUser' },
);
export type ListApplicationRolloutStrategyItemUser = Static<
  typeof ListApplicationRolloutStrategyItemUserSchema,
  MrSchemaContext
>;

export const ApplicationRolloutStrategyEnvironmentSchema = Type.Object(
  {
    id: Type.Optional(uuid()),
    name: Type.Optional(Type.String()),
    featuresCount: Type.Optional(Type.Integer()),
  },
  { $id: 'ApplicationRolloutStrategyEnvironment' },
);
export type ApplicationRolloutStrategyEnvironment = Static<
  typeof ApplicationRolloutStrategyEnvironmentSchema,
  MrSchemaContext
>;

export const ListApplicationRolloutStrategyItemSchema = Type.Object(
  {
    strategy: Type.Optional(ref('ApplicationRolloutStrategy')),
    whenUpdated: Type.Optional(dateTime()),
    whenCreated: Type.Optional(dateTime()),
    updatedBy: Type.Optional(ref('ListApplicationRolloutStrategyItemUser')),
    uniqueCode: optionalNullable(Type.String(), { description: 'The code of this application strategy' }),
    usage: optionalNullable(Type.Array(ref('ApplicationRolloutStrategyEnvironment'))),
  },
  { $id: 'ListApplicationRolloutStrategyItem' },
);
export type ListApplicationRolloutStrategyItem = Static<
  typeof ListApplicationRolloutStrategyItemSchema,
  MrSchemaContext
>;

export const ApplicationRolloutStrategyListSchema = Type.Object(
  {
    max: Type.Integer({ description: 'how many there are' }),
    page: Type.Integer({ description: 'this page number' }),
    items: Type.Array(ref('ListApplicationRolloutStrategyItem')),
  },
  { $id: 'ApplicationRolloutStrategyList' },
);
export type ApplicationRolloutStrategyList = Static<
  typeof ApplicationRolloutStrategyListSchema,
  MrSchemaContext
>;
