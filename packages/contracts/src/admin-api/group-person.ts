import { type Static, Type } from 'typebox';
import { APPLICATION_ROLE_TYPES, PERSON_TYPES, ROLE_TYPES } from '../enums.ts';
import type { MrSchemaContext } from './context.ts';
import { auditProperties } from './portfolio-application-environment.ts';
import { dateTime, int64, optionalNullable, ref, stringEnum, uuid } from './schema-kit.ts';

export const RoleTypeSchema = stringEnum([...ROLE_TYPES], {
  $id: 'RoleType',
});
export type RoleType = Static<typeof RoleTypeSchema, MrSchemaContext>;

export const ApplicationRoleTypeSchema = stringEnum([...APPLICATION_ROLE_TYPES], {
  $id: 'ApplicationRoleType',
});
export type ApplicationRoleType = Static<typeof ApplicationRoleTypeSchema, MrSchemaContext>;

export const PersonTypeSchema = stringEnum([...PERSON_TYPES], {
  $id: 'PersonType',
  default: 'person',
});
export type PersonType = Static<typeof PersonTypeSchema, MrSchemaContext>;

export const SearchPersonSortBySchema = stringEnum(['name', 'activationStatus'], {
  $id: 'SearchPersonSortBy',
});
export type SearchPersonSortBy = Static<typeof SearchPersonSortBySchema, MrSchemaContext>;

export const PersonIdSchema = Type.Object({ id: uuid() }, { $id: 'PersonId' });
export type PersonId = Static<typeof PersonIdSchema, MrSchemaContext>;

export const PersonInfoSchema = Type.Object(
  { key: Type.String({ description: 'e.g. serviceAccountId' }), value: Type.String() },
  { $id: 'PersonInfo' },
);
export type PersonInfo = Static<typeof PersonInfoSchema, MrSchemaContext>;

export const PersonSchema = Type.Object(
  {
    id: optionalNullable(ref('PersonId')),
    name: optionalNullable(Type.String({ maxLength: 150, minLength: 1 })),
    email: optionalNullable(Type.String({ maxLength: 100, format: 'email' })),
    personType: optionalNullable(ref('PersonType')),
    other: optionalNullable(Type.String()),
    source: optionalNullable(Type.String()),
    version: optionalNullable(int64()),
    passwordRequiresReset: optionalNullable(Type.Boolean()),
    groups: Type.Optional(Type.Array(ref('Group'), { default: [] })),
    whenArchived: optionalNullable(dateTime()),
    whenLastAuthenticated: optionalNullable(dateTime()),
    whenLastSeen: optionalNullable(dateTime()),
    additional: optionalNullable(Type.Array(ref('PersonInfo')), { default: [] }),
  },
  { $id: 'Person' },
);
export type Person = Static<typeof PersonSchema, MrSchemaContext>;

export const AnemicPersonSchema = Type.Object(
  {
    id: uuid(),
    name: Type.String(),
    email: optionalNullable(Type.String()),
    type: ref('PersonType'),
  },
  { $id: 'AnemicPerson' },
);
export type AnemicPerson = Static<typeof AnemicPersonSchema, MrSchemaContext>;

export const SearchPersonSchema = Type.Object(
  {
    id: uuid(),
    name: Type.String(),
    email: Type.String({ format: 'email' }),
    version: int64(),
    personType: ref('PersonType'),
    whenLastAuthenticated: optionalNullable(dateTime()),
    whenLastSeen: optionalNullable(dateTime()),
    whenDeactivated: optionalNullable(dateTime()),
    groupCount: Type.Integer(),
  },
  { $id: 'SearchPerson' },
);
export type SearchPerson = Static<typeof SearchPersonSchema, MrSchemaContext>;

export const OutstandingRegistrationSchema = Type.Object(
  { id: uuid(), token: Type.String(), expired: Type.Boolean() },
  { $id: 'OutstandingRegistration' },
);
export type OutstandingRegistration = Static<typeof OutstandingRegistrationSchema, MrSchemaContext>;

export const SearchPersonResultSchema = Type.Object(
  {
    max: Type.Integer(),
    people: Type.Optional(Type.Array(ref('Person'), { description: 'This is for backwards compatibility' })),
    summarisedPeople: Type.Optional(Type.Array(ref('SearchPerson'))),
    outstandingRegistrations: Type.Optional(Type.Array(ref('OutstandingRegistration'))),
  },
  { $id: 'SearchPersonResult' },
);
export type SearchPersonResult = Static<typeof SearchPersonResultSchema, MrSchemaContext>;

export const CreatePersonDetailsSchema = Type.Object(
  {
    email: optionalNullable(Type.String({ maxLength: 100, minLength: 1, format: 'email' }), {
      description: 'Can be null if a service account',
    }),
    personType: ref('PersonType'),
    name: optionalNullable(Type.String({ maxLength: 100, minLength: 1 }), {
      description: 'Can be null if a service account',
    }),
    groupIds: optionalNullable(Type.Array(uuid()), { default: [] }),
  },
  { $id: 'CreatePersonDetails' },
);
export type CreatePersonDetails = Static<typeof CreatePersonDetailsSchema, MrSchemaContext>;

export const UpdatePersonSchema = Type.Object(
  {
    name: optionalNullable(Type.String({ maxLength: 150, minLength: 1 })),
    email: optionalNullable(Type.String({ maxLength: 100, format: 'email' })),
    version: int64({ description: 'The version of the person being updated, to detect stale updates' }),
    groups: optionalNullable(Type.Array(uuid())),
    unarchive: optionalNullable(Type.Boolean()),
  },
  { $id: 'UpdatePerson' },
);
export type UpdatePerson = Static<typeof UpdatePersonSchema, MrSchemaContext>;

export const ApplicationGroupRoleSchema = Type.Object(
  { applicationId: uuid(), groupId: uuid(), roles: Type.Array(ref('ApplicationRoleType')) },
  { $id: 'ApplicationGroupRole' },
);
export type ApplicationGroupRole = Static<typeof ApplicationGroupRoleSchema, MrSchemaContext>;

export const EnvironmentGroupRoleSchema = Type.Object(
  { environmentId: uuid(), groupId: uuid(), roles: Type.Array(ref('RoleType')) },
  { $id: 'EnvironmentGroupRole' },
);
export type EnvironmentGroupRole = Static<typeof EnvironmentGroupRoleSchema, MrSchemaContext>;

export const CreateGroupSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 255, minLength: 1 })),
    admin: optionalNullable(Type.Boolean(), { description: 'is this an admin group?' }),
    applicationRoles: optionalNullable(Type.Array(ref('ApplicationGroupRole')), { default: [] }),
  },
  { $id: 'CreateGroup' },
);
export type CreateGroup = Static<typeof CreateGroupSchema, MrSchemaContext>;

export const GroupSchema = Type.Object(
  {
    ...auditProperties,
    id: uuid(),
    admin: optionalNullable(Type.Boolean(), { description: 'is this an admin group?' }),
    portfolioId: optionalNullable(uuid(), {
      description: 'The portfolio of this group; null for the superuser group',
    }),
    organizationId: optionalNullable(uuid()),
    version: Type.Optional(int64()),
    name: Type.String({ maxLength: 255, minLength: 1 }),
    superMembers: Type.Optional(
      Type.Array(uuid(), {
        default: [],
        description: 'API 1.2.6, read only: which ids of simpleMembers are superusers (includeMembersV2)',
      }),
    ),
    simpleMembers: Type.Optional(
      Type.Array(ref('AnemicPerson'), {
        default: [],
        description: 'API 1.2.6: the members, short (includeMembersV2)',
      }),
    ),
    members: Type.Optional(Type.Array(ref('Person'), { default: [] })),
    applicationRoles: Type.Optional(Type.Array(ref('ApplicationGroupRole'), { default: [] })),
    environmentRoles: Type.Optional(Type.Array(ref('EnvironmentGroupRole'), { default: [] })),
    whenArchived: optionalNullable(dateTime()),
  },
  { $id: 'Group' },
);
export type Group = Static<typeof GroupSchema, MrSchemaContext>;

/** API 1.2.6: the body of `updateGroupOnPortfolioV2`: a group's name and roles, never its members. */
export const UpdateGroupSchema = Type.Object(
  {
    id: uuid(),
    name: optionalNullable(Type.String({ maxLength: 255 })),
    version: Type.Optional(int64()),
    applicationRoles: optionalNullable(Type.Array(ref('ApplicationGroupRole')), { default: [] }),
    environmentRoles: Type.Optional(Type.Array(ref('EnvironmentGroupRole'), { default: [] })),
  },
  { $id: 'UpdateGroup' },
);
export type UpdateGroup = Static<typeof UpdateGroupSchema, MrSchemaContext>;
