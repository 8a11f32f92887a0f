// The admin API surface of the Management Repository: schemas and types of mr-api 1.2.5, the table
// of its operations, the Fastify plugin that validates and documents them, and the response check.
export {
  API_DOCS_PREFIX,
  type Authenticate,
  MR_API_VERSION,
  type MrApiOptions,
  OPENAPI_DOCUMENT_PATH,
  type OperationBody,
  type OperationHandler,
  type OperationParams,
  type OperationQuery,
  type OperationRequest,
  type OperationResult,
  type OperationWithId,
  type RouteExtras,
  registerMrApi,
  route,
} from './mr-api-plugin.ts';
export type { OpenApiDocument } from './openapi-compat.ts';
export {
  allOperations,
  type HttpMethod,
  type MrOperations,
  mrOperations,
  type OperationId,
  type OperationSpec,
  operation,
} from './operations.ts';
export { validateResponse } from './response-validator.ts';
export * from './schemas/index.ts';
export { describeValidationErrors, formatValidationErrors } from './validation-errors.ts';
