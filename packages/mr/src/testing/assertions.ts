// Assertions the slice tests share: a service call refused with a status, and admin API answers checked
// against the OpenAPI document the server serves.
import assert from 'node:assert/strict';
import type { OpenApiDocument } from '../api/openapi-document.ts';
import { validateResponse } from '../api/response-validator.ts';
import type { ApiResponse, TestMr } from './test-mr.ts';

/** Asserts that the promise fails with an error carrying this HTTP status (and a message matching). */
export async function rejectsWithStatus(promise: Promise<unknown>, status: number, message?: RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { status?: number }).status, status, `expected ${status}, got ${String(err)}`);
    if (message) assert.match((err as Error).message, message);
    return true;
  });
}

/**
 * Asserts the status of an answer and, for a success, that its body matches the response schema of our
 * OpenAPI document (so a mapper cannot drift from the contract). Returns the body.
 */
export function expectOk<T = any>(mr: TestMr, operationId: string, res: ApiResponse<T>, status = 200): T {
  assert.equal(res.status, status, `${operationId}: ${res.status} ${JSON.stringify(res.body)}`);
  const doc = mr.app.swagger() as unknown as OpenApiDocument;
  assert.deepEqual(validateResponse(doc, operationId, status, res.body), [], `${operationId} response`);
  return res.body;
}

/** Asserts an error answer: the status and (optionally) a message matching. */
export function expectError(res: ApiResponse, status: number, message?: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  if (message) assert.match(JSON.stringify(res.body), message);
}
