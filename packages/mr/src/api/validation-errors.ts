import type { FastifySchemaValidationError } from 'fastify';

const MAX_MESSAGES = 10;
const MAX_ENUM_VALUES = 12;

/**
 * Turns ajv errors into one message a person can act on: `body/name must be string`,
 * `body/features/0/key is required`, `querystring/order must be one of: ASC, DESC`.
 *
 * Nullable properties are `anyOf [T, null]` in our schemas, which makes ajv report the failure of every
 * branch. The null branch and the anyOf summary carry no information, so they are folded into the
 * remaining message ("must be string or null").
 */
export function formatValidationErrors(
  errors: readonly FastifySchemaValidationError[],
  dataVar: string,
): Error {
  const messages = describeValidationErrors(errors, dataVar);
  const shown = messages.slice(0, MAX_MESSAGES);
  const more = messages.length - shown.length;
  return new Error(more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; '));
}

/** The distinct problems behind a list of ajv errors, one line each, nullable noise folded away. */
export function describeValidationErrors(
  errors: readonly FastifySchemaValidationError[],
  dataVar: string,
): string[] {
  const nullablePaths = new Set(
    errors.filter((e) => e.keyword === 'type' && e.params['type'] === 'null').map((e) => e.instancePath),
  );
  const messages: string[] = [];
  for (const error of errors) {
    if (error.keyword === 'anyOf' && nullablePaths.has(error.instancePath)) continue;
    if (error.keyword === 'type' && error.params['type'] === 'null') continue;
    const message = describe(error, dataVar, nullablePaths.has(error.instancePath));
    if (!messages.includes(message)) messages.push(message);
  }
  if (messages.length === 0) messages.push(`${dataVar} is invalid`);
  return messages;
}

function describe(error: FastifySchemaValidationError, dataVar: string, orNull: boolean): string {
  const path = `${dataVar}${error.instancePath}`;
  const params = error.params;
  const nullSuffix = orNull ? ' or null' : '';
  switch (error.keyword) {
    case 'required':
      return `${path}/${String(params['missingProperty'])} is required`;
    case 'type': {
      const types = Array.isArray(params['type']) ? (params['type'] as unknown[]) : [params['type']];
      return `${path} must be ${types.map(String).join(' or ')}${nullSuffix}`;
    }
    case 'enum': {
      const allowed = Array.isArray(params['allowedValues']) ? (params['allowedValues'] as unknown[]) : [];
      const listed = allowed.slice(0, MAX_ENUM_VALUES).map(String).join(', ');
      const ellipsis = allowed.length > MAX_ENUM_VALUES ? ', …' : '';
      return `${path} must be one of: ${listed}${ellipsis}${nullSuffix}`;
    }
    case 'format':
      return `${path} must be a valid ${String(params['format'])}`;
    default:
      return `${path} ${error.message ?? 'is invalid'}`;
  }
}
