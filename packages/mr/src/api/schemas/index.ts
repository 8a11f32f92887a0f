// The 115 component schemas of mr-api 1.2.5: each `XSchema` (TypeBox, `$id` = the upstream name) and
// `type X` (its static type, references resolved through the schema context).
export { type MrSchemaContext, mrSchemas } from './context.ts';
export * from './feature.ts';
export * from './group-person.ts';
export * from './misc.ts';
export * from './portfolio-application-environment.ts';
export { type MrSchemaName, ref } from './schema-kit.ts';
export * from './service-account.ts';
export * from './setup-auth.ts';
export * from './strategy.ts';
