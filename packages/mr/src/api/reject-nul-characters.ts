import { BadRequestError } from '@fh/service-kit';
import type { FastifyRequest } from 'fastify';

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000') || containsNul(v, depth + 1)) return true;
  }
  return false;
}

/**
 * PostgreSQL cannot store U+0000 in text and fails the whole statement, which would surface as a 500;
 * refuse such input up front, for every operation (`route()` installs this as its preValidation hook).
 */
export async function rejectNulCharacters(request: FastifyRequest): Promise<void> {
  if (containsNul(request.params))
    throw new BadRequestError('path parameters must not contain NUL characters');
  if (containsNul(request.query))
    throw new BadRequestError('query parameters must not contain NUL characters');
  if (containsNul(request.body)) throw new BadRequestError('the body must not contain NUL characters');
}
