// The admin API surface of the Management Repository: the Fastify plugin that validates and documents the
// operations of mr-api 1.2.5, and the response check; plus the contract itself (schemas, types and the
// operation table), re-exported from @fh/contracts/admin-api.

// The schemas and the operation table live in @fh/contracts/admin-api; mr code imports them from here.
export * from '@fh/contracts/admin-api';
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
export type { OpenApiDocument } from './openapi-document.ts';
export { validateResponse } from './response-validator.ts';
export { describeValidationErrors, formatValidationErrors } from './validation-errors.ts';
