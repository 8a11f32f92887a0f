// The one set of errors every process raises on purpose. Each carries the HTTP status it answers with and a
// stable machine-readable code; service-kit's mapError turns any of them (and Fastify's own errors) into a
// reply. The codes, their statuses and when each is used are listed in docs/errors.md.

/** Extra data for an AppError: a `details` value sent in the reply body, and the `cause`. */
export interface AppErrorOptions extends ErrorOptions {
  details?: unknown;
}

/**
 * The one base error of the project: an HTTP status, a stable machine-readable code and a message
 * that tells the caller what is wrong. The HTTP error mapper turns it into a reply.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, options?: AppErrorOptions) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.details = options?.details;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * 400: the request is malformed or breaks a rule; the message says which. The code is `bad_request` for
 * every kind of bad input (schema validation included); a caller passes another only for the few
 * refusals clients tell apart (docs/errors.md), e.g. `no_appropriate_role`.
 */
export class BadRequestError extends AppError {
  constructor(message: string, code = 'bad_request', options?: AppErrorOptions) {
    super(400, code, message, options);
  }
}

/** 401: no valid session or token. */
export class UnauthorizedError extends AppError {
  constructor(message = 'Please login.') {
    super(401, 'unauthorized', message);
  }
}

/** 403: the caller is known but may not do this. */
export class ForbiddenError extends AppError {
  constructor(message = 'You do not have permission for this operation') {
    super(403, 'forbidden', message);
  }
}

/** 404: the thing asked for does not exist (or has been archived, or the caller may not see it). */
export class NotFoundError extends AppError {
  constructor(message = 'Not found', options?: AppErrorOptions) {
    super(404, 'not_found', message, options);
  }
}

/**
 * 409: the request clashes with what exists. `duplicate_name` (a live entity already has the name) unless
 * the caller names the clash more precisely (`duplicate_key`, `duplicate_email`, `already_initialized`, …).
 */
export class ConflictError extends AppError {
  constructor(message: string, code = 'duplicate_name', options?: AppErrorOptions) {
    super(409, code, message, options);
  }
}

/**
 * `stale_version`: the caller edited from a version that is no longer current. Upstream answers 422 for
 * most entities but 409 for feature values (and 400 for a stale environment ordering), hence the status
 * parameter.
 */
export class StaleVersionError extends AppError {
  constructor(message: string, status = 422, options?: AppErrorOptions) {
    super(status, 'stale_version', message, options);
  }
}

/**
 * The code for a status when nothing more precise is known: Fastify's own errors, and answers relayed from
 * elsewhere (Edge passes on MR's test-API statuses).
 */
export function errorCodeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 412:
      return 'precondition_failed';
    case 413:
      return 'body_too_large';
    case 415:
      return 'unsupported_media_type';
    case 501:
      return 'not_implemented';
    case 503:
      return 'not_ready';
    default:
      return status >= 500 ? 'internal' : 'bad_request';
  }
}
