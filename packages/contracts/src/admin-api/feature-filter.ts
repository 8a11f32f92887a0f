import { type Static, Type } from 'typebox';
import type { MrSchemaContext } from './context.ts';
import { nullable, optionalNullable, ref, stringEnum, uuid } from './schema-kit.ts';

// Feature filters (upstream API 1.2.6, `feature-filters.yaml`): named per-portfolio tags put on features
// and on service accounts. A service account with filters is served only the features sharing one.

/** Upstream's nullable AnemicPerson (`whoCreated` of a filter). */
export const OptionalAnemicPersonSchema = nullable(ref('AnemicPerson'), { $id: 'OptionalAnemicPerson' });
export type OptionalAnemicPerson = Static<typeof OptionalAnemicPersonSchema, MrSchemaContext>;

export const CreateFeatureFilterSchema = Type.Object(
  {
    name: Type.String({ description: 'Unique within this portfolio' }),
    description: optionalNullable(Type.String({ maxLength: 300 })),
  },
  { $id: 'CreateFeatureFilter', description: 'A filter an API key uses to choose the features it is sent' },
);
export type CreateFeatureFilter = Static<typeof CreateFeatureFilterSchema, MrSchemaContext>;

export const FeatureFilterSchema = Type.Object(
  {
    id: uuid(),
    name: Type.String({ maxLength: 60, description: 'Unique within this portfolio' }),
    description: optionalNullable(Type.String({ maxLength: 300 })),
    version: Type.Integer(),
    whoCreated: Type.Optional(ref('OptionalAnemicPerson')),
  },
  { $id: 'FeatureFilter', description: 'A filter an API key uses to choose the features it is sent' },
);
export type FeatureFilter = Static<typeof FeatureFilterSchema, MrSchemaContext>;

export const SearchFeatureFilterServiceAccountSchema = Type.Object(
  { id: uuid(), name: Type.String() },
  { $id: 'SearchFeatureFilterServiceAccount', description: 'A service account that uses the filter' },
);
export type SearchFeatureFilterServiceAccount = Static<
  typeof SearchFeatureFilterServiceAccountSchema,
  MrSchemaContext
>;

export const SearchFeatureFilterFeatureSchema = Type.Object(
  { id: uuid(), key: Type.String() },
  { $id: 'SearchFeatureFilterFeature', description: 'A feature (by key) that carries the filter' },
);
export type SearchFeatureFilterFeature = Static<typeof SearchFeatureFilterFeatureSchema, MrSchemaContext>;

export const SearchFeatureFilterApplicationSchema = Type.Object(
  {
    id: uuid(),
    name: Type.String(),
    features: optionalNullable(Type.Array(ref('SearchFeatureFilterFeature')), {
      description: 'The features of this application that carry the filter, when the caller may read them',
    }),
  },
  { $id: 'SearchFeatureFilterApplication' },
);
export type SearchFeatureFilterApplication = Static<
  typeof SearchFeatureFilterApplicationSchema,
  MrSchemaContext
>;

export const SearchFeatureFilterItemSchema = Type.Object(
  {
    id: uuid(),
    name: Type.String({ maxLength: 60 }),
    description: optionalNullable(Type.String({ maxLength: 300 })),
    version: Type.Integer(),
    whoCreated: Type.Optional(ref('OptionalAnemicPerson')),
    serviceAccounts: optionalNullable(Type.Array(ref('SearchFeatureFilterServiceAccount'))),
    applications: optionalNullable(Type.Array(ref('SearchFeatureFilterApplication')), {
      description: 'The applications, if any, with features that carry this filter',
    }),
  },
  { $id: 'SearchFeatureFilterItem' },
);
export type SearchFeatureFilterItem = Static<typeof SearchFeatureFilterItemSchema, MrSchemaContext>;

export const SearchFeatureFilterResultSchema = Type.Object(
  {
    max: Type.Integer({ description: 'How many filters match in all (for paging)' }),
    filters: Type.Optional(Type.Array(ref('SearchFeatureFilterItem'), { default: [] })),
  },
  { $id: 'SearchFeatureFilterResult', description: 'The result of a search for feature filters' },
);
export type SearchFeatureFilterResult = Static<typeof SearchFeatureFilterResultSchema, MrSchemaContext>;

export const MatchTypeEnumSchema = stringEnum(['applications', 'serviceaccounts'], { $id: 'MatchTypeEnum' });
export type MatchTypeEnum = Static<typeof MatchTypeEnumSchema, MrSchemaContext>;

export const MatchingFilterSchema = Type.Object(
  { id: Type.Optional(uuid()), name: Type.Optional(Type.String()) },
  { $id: 'MatchingFilter' },
);
export type MatchingFilter = Static<typeof MatchingFilterSchema, MrSchemaContext>;

export const MatchingFilterResultSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    id: Type.Optional(uuid()),
    description: optionalNullable(Type.String()),
    matchingFilters: Type.Optional(Type.Array(ref('MatchingFilter'), { default: [] })),
  },
  {
    $id: 'MatchingFilterResult',
    description: 'A service account or application and which of the asked-for filters it carries',
  },
);
export type MatchingFilterResult = Static<typeof MatchingFilterResultSchema, MrSchemaContext>;

export const MatchingFilterResultsSchema = Type.Object(
  { matchingResults: Type.Optional(Type.Array(ref('MatchingFilterResult'), { default: [] })) },
  { $id: 'MatchingFilterResults' },
);
export type MatchingFilterResults = Static<typeof MatchingFilterResultsSchema, MrSchemaContext>;
