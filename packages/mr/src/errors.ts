import { AppError } from '@fh/service-kit';

/**
 * The errors the Management Repository raises on purpose. Each carries the HTTP status the API answers
 * with and a stable machine-readable code, so one mapper can turn any of them into a reply.
 */
export class MrError extends AppError {
  constructor(status: number, code: string, message: string, options?: ErrorOptions) {
    super(status, code, message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The thing asked for does not exist (or has been archived). */
export class NotFoundError extends MrError {
  constructor(message: string, options?: ErrorOptions) {
    super(404, 'not_found', message, options);
  }
}

/** A name or key is already taken by a live entity in the same scope. */
export class ConflictError extends MrError {
  constructor(message: string, code = 'duplicate_name', options?: ErrorOptions) {
    super(409, code, message, options);
  }
}

/**
 * The caller edited from a version that is no longer current. Upstream answers 422 for most entities
 * but 409 for feature values, hence the status parameter.
 */
export class StaleVersionError extends MrError {
  constructor(message: string, status = 422, options?: ErrorOptions) {
    super(status, 'stale_version', message, options);
  }
}

/** The request is malformed or breaks a rule; the message says which. */
export class ValidationError extends MrError {
  constructor(message: string, code = 'invalid', options?: ErrorOptions) {
    super(400, code, message, options);
  }
}
