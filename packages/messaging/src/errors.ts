/** Base of every error the bus raises; `code` is stable and machine-readable. */
export class BusError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A request got no reply within its timeout (a responder exists but did not answer in time). */
export class BusTimeoutError extends BusError {
  readonly subject: string;
  readonly timeoutMs: number;

  constructor(subject: string, timeoutMs: number, options?: ErrorOptions) {
    super('BUS_TIMEOUT', `no reply on '${subject}' within ${timeoutMs} ms`, options);
    this.subject = subject;
    this.timeoutMs = timeoutMs;
  }
}

/** A request was sent to a subject nobody subscribes to. Fails fast, without waiting for the timeout. */
export class NoRespondersError extends BusError {
  readonly subject: string;

  constructor(subject: string, options?: ErrorOptions) {
    super('BUS_NO_RESPONDERS', `no responders are listening on '${subject}'`, options);
    this.subject = subject;
  }
}

/** The bus is closed (or draining, for new subscriptions and requests). */
export class BusClosedError extends BusError {
  constructor(message = 'the bus is closed', options?: ErrorOptions) {
    super('BUS_CLOSED', message, options);
  }
}

/** A subject is empty, contains whitespace or is malformed (or a wildcard where a literal subject is needed). */
export class InvalidSubjectError extends BusError {
  readonly subject: string;

  constructor(subject: string, reason: string) {
    super('BUS_INVALID_SUBJECT', `invalid subject '${subject}': ${reason}`);
    this.subject = subject;
  }
}

/** A payload or header cannot be encoded, or a received body cannot be decoded. */
export class BusCodecError extends BusError {
  constructor(message: string, options?: ErrorOptions) {
    super('BUS_CODEC', message, options);
  }
}
