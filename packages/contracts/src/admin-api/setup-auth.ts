import { type Static, Type } from 'typebox';
import type { MrSchemaContext } from './context.ts';
import { auditProperties } from './portfolio-application-environment.ts';
import { dateTime, int64, optionalNullable, ref, stringMap, uuid } from './schema-kit.ts';

export const IdentityProviderInfoSchema = Type.Object(
  { buttonIcon: Type.String(), buttonBackgroundColor: Type.String(), buttonText: Type.String() },
  { $id: 'IdentityProviderInfo' },
);
export type IdentityProviderInfo = Static<typeof IdentityProviderInfoSchema, MrSchemaContext>;

// Typed without the schema context: IdentityProviderInfo has no references, and going through the
// context here would make the context's type depend on itself.
const providerInfoMap = () =>
  Type.Unsafe<Record<string, Static<typeof IdentityProviderInfoSchema>>>({
    type: 'object',
    additionalProperties: ref('IdentityProviderInfo'),
  });

export const OrganizationSchema = Type.Object(
  {
    ...auditProperties,
    id: Type.Optional(uuid()),
    version: optionalNullable(int64()),
    name: Type.String({ maxLength: 255, minLength: 1 }),
    admin: optionalNullable(Type.Boolean(), { description: 'ignored', deprecated: true }),
    authorizationUrl: optionalNullable(Type.String(), {
      description: 'If provided, the browser should redirect to this URL to authenticate',
    }),
    orgGroup: optionalNullable(ref('Group')),
    portfolios: optionalNullable(Type.Array(ref('Portfolio')), { default: [] }),
    whenArchived: optionalNullable(dateTime()),
  },
  { $id: 'Organization' },
);
export type Organization = Static<typeof OrganizationSchema, MrSchemaContext>;

export const SetupSiteAdminSchema = Type.Object(
  {
    portfolio: Type.String(),
    organizationName: Type.String(),
    emailAddress: optionalNullable(Type.String({ format: 'email' }), {
      description: "User's email or blank if using oauth/saml",
    }),
    password: optionalNullable(Type.String(), {
      description: "User's password or blank if using oauth/saml",
    }),
    name: optionalNullable(Type.String()),
    authProvider: optionalNullable(Type.String(), {
      description: 'The external provider chosen, if the site uses external providers',
    }),
  },
  { $id: 'SetupSiteAdmin' },
);
export type SetupSiteAdmin = Static<typeof SetupSiteAdminSchema, MrSchemaContext>;

export const SetupResponseSchema = Type.Object(
  {
    organization: ref('Organization'),
    providers: Type.Array(Type.String()),
    providerInfo: providerInfoMap(),
    capabilityInfo: stringMap(),
    redirectUrl: optionalNullable(Type.String(), {
      description: 'Set if there is only one external provider and no local login: redirect immediately',
    }),
  },
  { $id: 'SetupResponse' },
);
export type SetupResponse = Static<typeof SetupResponseSchema, MrSchemaContext>;

export const SetupMissingResponseSchema = Type.Object(
  {
    providers: Type.Optional(Type.Array(Type.String())),
    capabilityInfo: Type.Optional(stringMap()),
    providerInfo: Type.Optional(providerInfoMap()),
  },
  { $id: 'SetupMissingResponse' },
);
export type SetupMissingResponse = Static<typeof SetupMissingResponseSchema, MrSchemaContext>;

export const ProviderRedirectSchema = Type.Object(
  { redirectUrl: Type.Optional(Type.String()) },
  { $id: 'ProviderRedirect' },
);
export type ProviderRedirect = Static<typeof ProviderRedirectSchema, MrSchemaContext>;

export const TokenizedPersonSchema = Type.Object(
  {
    accessToken: optionalNullable(Type.String()),
    refreshToken: optionalNullable(Type.String()),
    redirectUrl: optionalNullable(Type.String()),
    capabilityInfo: optionalNullable(stringMap()),
    person: optionalNullable(ref('Person')),
  },
  { $id: 'TokenizedPerson' },
);
export type TokenizedPerson = Static<typeof TokenizedPersonSchema, MrSchemaContext>;

export const RegistrationUrlSchema = Type.Object(
  {
    registrationUrl: optionalNullable(Type.String()),
    personId: uuid(),
    token: Type.String(),
  },
  { $id: 'RegistrationUrl' },
);
export type RegistrationUrl = Static<typeof RegistrationUrlSchema, MrSchemaContext>;

export const PersonRegistrationDetailsSchema = Type.Object(
  {
    name: Type.String({ maxLength: 100, minLength: 1 }),
    email: Type.String({ maxLength: 100, minLength: 1, format: 'email' }),
    password: Type.String({ maxLength: 40, minLength: 1, format: 'password' }),
    confirmPassword: Type.String({ maxLength: 40, minLength: 1, format: 'password' }),
    registrationToken: Type.String(),
  },
  { $id: 'PersonRegistrationDetails' },
);
export type PersonRegistrationDetails = Static<typeof PersonRegistrationDetailsSchema, MrSchemaContext>;

export const AdminServiceResetTokenResponseSchema = Type.Object(
  { token: Type.String() },
  { $id: 'AdminServiceResetTokenResponse' },
);
export type AdminServiceResetTokenResponse = Static<
  typeof AdminServiceResetTokenResponseSchema,
  MrSchemaContext
>;

export const UserCredentialsSchema = Type.Object(
  {
    email: Type.String({ maxLength: 100, format: 'email' }),
    password: Type.String({ maxLength: 100 }),
  },
  { $id: 'UserCredentials' },
);
export type UserCredentials = Static<typeof UserCredentialsSchema, MrSchemaContext>;

export const PasswordResetSchema = Type.Object(
  {
    password: Type.String(),
    reactivate: Type.Optional(Type.Boolean({ default: false })),
  },
  { $id: 'PasswordReset' },
);
export type PasswordReset = Static<typeof PasswordResetSchema, MrSchemaContext>;

export const PasswordUpdateSchema = Type.Object(
  {
    oldPassword: Type.String({ maxLength: 100, format: 'password' }),
    newPassword: Type.String({ maxLength: 100, format: 'password' }),
  },
  { $id: 'PasswordUpdate' },
);
export type PasswordUpdate = Static<typeof PasswordUpdateSchema, MrSchemaContext>;

export const ApplicationVersionInfoSchema = Type.Object(
  { name: Type.String(), version: Type.String() },
  { $id: 'ApplicationVersionInfo' },
);
export type ApplicationVersionInfo = Static<typeof ApplicationVersionInfoSchema, MrSchemaContext>;
