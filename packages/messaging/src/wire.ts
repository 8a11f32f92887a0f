// The message format both adapters share, so the in-process bus behaves exactly like NATS: the same
// encoding (payloads are copied through JSON), the same header rules, the same subject rules.
import { randomUUID } from 'node:crypto';
import type { BusHeaders, BusOptions, PublishOptions } from './bus.ts';
import {
  CE_HEADER_PREFIX,
  type CloudEventAttributes,
  cloudEventHeaders,
  readCloudEvent,
} from './cloud-event.ts';
import { DEFAULT_COMPRESS_ABOVE_BYTES, decodeBody, encodeBody } from './codec.ts';
import { BusCodecError, InvalidSubjectError } from './errors.ts';

/** A message as it travels: headers (names lower-cased) and body bytes. */
export interface WireMessage {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** A message as handlers see it, minus the reply capability. */
export interface DecodedMessage {
  readonly data: unknown;
  readonly headers: BusHeaders;
  readonly event: CloudEventAttributes | undefined;
}

/** {@link BusOptions} with every default filled in. */
export interface WireSettings {
  readonly source: string;
  readonly compressAboveBytes: number;
  readonly now: () => Date;
  readonly newId: () => string;
}

const CONTENT_TYPE_HEADER = 'content-type';
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Fills in the defaults of {@link BusOptions}. */
export function wireSettings(options: BusOptions = {}): WireSettings {
  return {
    source: options.source ?? 'featurehub',
    compressAboveBytes: options.compressAboveBytes ?? DEFAULT_COMPRESS_ABOVE_BYTES,
    now: options.now ?? (() => new Date()),
    newId: options.newId ?? randomUUID,
  };
}

/** Encodes a payload and its options into headers and body; throws {@link BusCodecError}. */
export function encodeWire(
  payload: unknown,
  options: PublishOptions | undefined,
  settings: WireSettings,
): WireMessage {
  const { body, contentType } = encodeBody(payload, {
    compressAboveBytes: settings.compressAboveBytes,
    compress: options?.compress,
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options?.headers ?? {})) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) throw new BusCodecError(`'${name}' is not a valid header name`);
    if (lower === CONTENT_TYPE_HEADER || lower.startsWith(CE_HEADER_PREFIX)) {
      throw new BusCodecError(
        `header '${name}' is reserved for the bus; pass CloudEvents attributes as 'event'`,
      );
    }
    if (/[\r\n]/.test(value)) throw new BusCodecError(`header '${name}' contains a line break`);
    headers[lower] = value;
  }
  if (options?.event) Object.assign(headers, cloudEventHeaders(options.event, contentType, settings));
  else headers[CONTENT_TYPE_HEADER] = contentType;
  return { headers, body };
}

/** Decodes a received message; throws {@link BusCodecError} when the body does not match its content type. */
export function decodeWire(message: WireMessage): DecodedMessage {
  const event = readCloudEvent(message.headers);
  const contentType = event ? event.datacontenttype : message.headers[CONTENT_TYPE_HEADER];
  const data = decodeBody(message.body, contentType);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (name === CONTENT_TYPE_HEADER) continue;
    if (event && name.startsWith(CE_HEADER_PREFIX)) continue;
    headers[name] = value;
  }
  return { data, headers, event };
}

function tokensOf(subject: string): string[] {
  if (subject.length === 0) throw new InvalidSubjectError(subject, 'it is empty');
  if (/\s/.test(subject)) throw new InvalidSubjectError(subject, 'it contains whitespace');
  const tokens = subject.split('.');
  if (tokens.some((t) => t.length === 0)) throw new InvalidSubjectError(subject, 'it has an empty token');
  return tokens;
}

/** Checks a subject messages are sent to: no wildcards. */
export function assertPublishSubject(subject: string): void {
  if (tokensOf(subject).some((t) => t === '*' || t === '>')) {
    throw new InvalidSubjectError(subject, 'wildcards are only allowed when subscribing');
  }
}

/** Checks a subscription subject (`*` anywhere, `>` only last) and queue group name. */
export function assertSubscribeSubject(subject: string, queue?: string): void {
  const tokens = tokensOf(subject);
  if (tokens.slice(0, -1).includes('>')) throw new InvalidSubjectError(subject, "'>' must be the last token");
  if (queue !== undefined && (queue.length === 0 || /\s/.test(queue))) {
    throw new InvalidSubjectError(subject, `queue group '${queue}' must be non-empty without whitespace`);
  }
}

/** Whether a (literal) subject matches a subscription pattern, by NATS wildcard rules. */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}
