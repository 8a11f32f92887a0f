import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from './openapi-document.ts';
import { describeValidationErrors } from './validation-errors.ts';

const DOCUMENT_ID = 'mr-openapi';

interface CompiledDocument {
  ajv: Ajv;
  validators: Map<string, ValidateFunction>;
}

const compiled = new WeakMap<OpenApiDocument, CompiledDocument>();

/**
 * Checks a response body against the response schema our OpenAPI document declares for the
 * operation and status. Returns the problems (`response/name must be string`), empty when valid.
 * Meant for scripted walks over the API: every body the server sends must match its document.
 */
export function validateResponse(
  doc: OpenApiDocument,
  operationId: string,
  status: number,
  body: unknown,
): string[] {
  const operation = findOperation(doc, operationId);
  if (!operation) return [`${operationId} is not an operation of the document`];
  const responses = (operation['responses'] ?? {}) as Record<string, Record<string, unknown>>;
  const response = responses[String(status)];
  if (!response) {
    return [
      `${operationId} declares no ${status} response (declared: ${Object.keys(responses).join(', ') || 'none'})`,
    ];
  }
  const content = response['content'] as Record<string, { schema?: unknown }> | undefined;
  const schema = content?.['application/json']?.schema;
  if (schema === undefined) {
    const empty = body === undefined || body === null || body === '';
    return empty ? [] : [`${operationId} ${status} has no body in the document, but one was sent`];
  }
  const validate = validatorFor(doc, `${operationId}:${status}`, schema);
  if (validate(body)) return [];
  return describeValidationErrors(validate.errors ?? [], 'response');
}

function findOperation(doc: OpenApiDocument, operationId: string): Record<string, unknown> | undefined {
  for (const item of Object.values(doc.paths ?? {})) {
    for (const candidate of Object.values(item)) {
      if (
        candidate &&
        typeof candidate === 'object' &&
        (candidate as Record<string, unknown>)['operationId'] === operationId
      ) {
        return candidate as Record<string, unknown>;
      }
    }
  }
  return undefined;
}

function validatorFor(doc: OpenApiDocument, key: string, schema: unknown): ValidateFunction {
  let entry = compiled.get(doc);
  if (!entry) {
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    addFormats(ajv, { mode: 'fast' });
    ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
    ajv.addSchema(toJsonSchema({ components: doc.components ?? {} }) as object, DOCUMENT_ID);
    entry = { ajv, validators: new Map() };
    compiled.set(doc, entry);
  }
  let validate = entry.validators.get(key);
  if (!validate) {
    validate = entry.ajv.compile(toJsonSchema(schema) as object);
    entry.validators.set(key, validate);
  }
  return validate;
}

/**
 * OpenAPI 3.0 schema → JSON Schema ajv understands: `nullable` becomes a null type (or a null branch
 * beside a reference), and local references point into the document registered under DOCUMENT_ID.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/'))
      out[key] = `${DOCUMENT_ID}${value}`;
    else out[key] = toJsonSchema(value);
  }
  if (out['nullable'] !== true) {
    delete out['nullable'];
    return out;
  }
  delete out['nullable'];
  const type = out['type'];
  if (typeof type === 'string') {
    out['type'] = [type, 'null'];
    if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}
