import { describeViolation } from '../lib/strategy-messages.ts';
import type { RolloutStrategyValidationResponse } from './types.ts';

/** Anything the API client throws: an HTTP status (0 when the server could not be reached) and plain words. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  /** The parsed JSON body, when the server sent one (e.g. strategy violations on 422). */
  readonly body: unknown;

  constructor(status: number, message: string, code?: string, body?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** Messages a caller may give for statuses that mean something specific for its request. */
export type StatusMessages = Partial<Record<number, string>>;

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'The server could not accept this request: some of the details are missing or invalid.',
  401: 'Your session has ended. Please sign in again.',
  403: 'You do not have permission to do that.',
  404: 'That could not be found. It may have been deleted, or you may not have access to it.',
  409: 'That conflicts with something that already exists, or it was changed by someone else. Reload and try again.',
  412: 'That conflicts with the current state on the server. Reload and try again.',
  422: 'Someone else changed this since you opened it. Reload and try again.',
  429: 'The server is busy. Wait a moment and try again.',
};

export function defaultStatusMessage(status: number): string {
  if (status === 0) return 'Cannot reach the FeatureHub server. Check your connection and try again.';
  const known = DEFAULT_MESSAGES[status];
  if (known !== undefined) return known;
  if (status >= 500) return `The server had a problem (HTTP ${status}). Try again in a moment.`;
  return `The request failed (HTTP ${status}).`;
}

function isStrategyValidation(body: unknown): body is RolloutStrategyValidationResponse {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return (
    Array.isArray(b['customStategyViolations']) ||
    Array.isArray(b['sharedStrategyViolations']) ||
    Array.isArray(b['violations'])
  );
}

/** Turns strategy violations from a 422 into one readable sentence per problem. */
export function describeStrategyViolations(body: RolloutStrategyValidationResponse): string[] {
  const out: string[] = [];
  for (const c of body.customStategyViolations ?? []) {
    const name = c.strategy?.name?.trim() || 'unnamed strategy';
    for (const v of c.violations ?? []) out.push(`Strategy "${name}": ${describeViolation(v.violation)}`);
  }
  for (const s of body.sharedStrategyViolations ?? []) {
    const name = s.strategy?.name?.trim() || 'application strategy';
    for (const v of s.violation ?? []) out.push(`Strategy "${name}": ${describeViolation(v.violation)}`);
  }
  for (const v of body.violations ?? []) out.push(describeViolation(v));
  return out;
}

/** Server messages are written as clauses ("a feature with key … already exists"): show them as sentences. */
export function asSentence(message: string): string {
  const m = message.trim();
  const capital = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * Builds the error for a failed response. Our server answers `{code, message}`; upstream-style servers
 * answer an empty body or a short text, so the status alone must still give a sensible sentence.
 */
export function errorFromResponse(status: number, bodyText: string, overrides?: StatusMessages): ApiError {
  const override = overrides?.[status];
  let body: unknown;
  try {
    body = bodyText.trim() === '' ? undefined : JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  if (isStrategyValidation(body)) {
    const lines = describeStrategyViolations(body);
    if (lines.length > 0) return new ApiError(status, lines.join(' '), 'strategy_invalid', body);
  }
  if (typeof body === 'object' && body !== null) {
    const b = body as Record<string, unknown>;
    const code = typeof b['code'] === 'string' ? b['code'] : undefined;
    const message = typeof b['message'] === 'string' && b['message'].trim() !== '' ? b['message'] : undefined;
    return new ApiError(
      status,
      message !== undefined ? asSentence(message) : (override ?? defaultStatusMessage(status)),
      code,
      body,
    );
  }
  if (override !== undefined) return new ApiError(status, override);
  const text = bodyText.trim();
  // Short plain-text bodies ("Please login.") are written for people; HTML error pages are not.
  if (text !== '' && text.length <= 200 && !text.startsWith('<') && typeof body !== 'number') {
    return new ApiError(status, text);
  }
  return new ApiError(status, defaultStatusMessage(status));
}

/** The message to show for anything caught around an API call. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error && e.message) return e.message;
  return 'Something went wrong.';
}
