// @fh/contracts/admin-api: the wire contract of the Management Repository's admin API (mr-api 1.2.5).
// The 115 upstream component schemas, each exported as `XSchema` (TypeBox, `$id` = the upstream name)
// and `type X` (its static type, references resolved through the schema context), and the table of the
// 97 operations (method, path, parameters, body, responses). Only MR and the admin UI load this entry;
// Edge, Dacha and evaluation use the root entry, so they never build these schemas.
export { type MrSchemaContext, mrSchemas } from './context.ts';
export * from './feature.ts';
export * from './feature-filter.ts';
export * from './group-person.ts';
export * from './misc.ts';
export {
  allOperations,
  type HttpMethod,
  type MrOperations,
  mrOperations,
  type OperationId,
  type OperationSpec,
  operation,
} from './operations.ts';
export * from './portfolio-application-environment.ts';
export { type MrSchemaName, ref } from './schema-kit.ts';
export * from './service-account.ts';
export * from './setup-auth.ts';
export * from './strategy.ts';
