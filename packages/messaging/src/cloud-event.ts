import { BusCodecError } from './errors.ts';

/** The CloudEvents spec version we write. */
export const CLOUD_EVENTS_SPEC_VERSION = '1.0';

/** Prefix of CloudEvents attribute headers in binary content mode (NATS binding). */
export const CE_HEADER_PREFIX = 'ce-';

/**
 * CloudEvents attributes a publisher supplies. `type` is required (e.g. `publish-feature-v1`); `id`,
 * `time` and `source` default to a fresh UUID, the bus clock and the bus's source.
 */
export interface CloudEventInput {
  readonly type: string;
  readonly id?: string | undefined;
  readonly source?: string | undefined;
  readonly time?: string | Date | undefined;
  /** The CloudEvents `subject` attribute (upstream uses e.g. `io.featurehub.events.feature-values`). */
  readonly subject?: string | undefined;
  readonly dataschema?: string | undefined;
  /** Extension attributes (lower-case alphanumeric names), e.g. OpenTelemetry `traceparent`. */
  readonly extensions?: Readonly<Record<string, string>> | undefined;
}

/** CloudEvents attributes of a received message. */
export interface CloudEventAttributes {
  readonly specversion: string;
  readonly type: string;
  readonly id: string;
  readonly source: string;
  readonly time: string | undefined;
  readonly subject: string | undefined;
  readonly dataschema: string | undefined;
  /** How the body was encoded, e.g. `application/json` or `application/json+gzip`. */
  readonly datacontenttype: string | undefined;
  readonly extensions: Readonly<Record<string, string>>;
}

const CORE_ATTRIBUTES = new Set([
  'specversion',
  'type',
  'id',
  'source',
  'time',
  'subject',
  'dataschema',
  'datacontenttype',
]);
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

/**
 * Percent-encodes a header value as the CloudEvents HTTP/NATS bindings ask: space, `"`, `%` and anything
 * outside printable ASCII become `%XX` of their UTF-8 bytes, so any string survives a header.
 */
export function encodeCeHeaderValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code > 0x20 && code < 0x7f && ch !== '"' && ch !== '%') {
      out += ch;
    } else {
      for (const byte of new TextEncoder().encode(ch))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Reverses {@link encodeCeHeaderValue}; a malformed escape is kept literally rather than failing. */
export function decodeCeHeaderValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Everything needed to fill in the defaulted attributes of a {@link CloudEventInput}. */
export interface CloudEventDefaults {
  readonly source: string;
  readonly now: () => Date;
  readonly newId: () => string;
}

/** Turns event attributes into binary-mode `ce-*` headers, filling in `id`, `time` and `source`. */
export function cloudEventHeaders(
  event: CloudEventInput,
  contentType: string,
  defaults: CloudEventDefaults,
): Record<string, string> {
  if (!event.type) throw new BusCodecError('a CloudEvent needs a type');
  const time =
    event.time instanceof Date ? event.time.toISOString() : (event.time ?? defaults.now().toISOString());
  const attributes: Record<string, string | undefined> = {
    specversion: CLOUD_EVENTS_SPEC_VERSION,
    type: event.type,
    id: event.id ?? defaults.newId(),
    source: event.source ?? defaults.source,
    time,
    subject: event.subject,
    dataschema: event.dataschema,
    datacontenttype: contentType,
  };
  for (const [name, value] of Object.entries(event.extensions ?? {})) {
    if (!EXTENSION_NAME.test(name) || CORE_ATTRIBUTES.has(name)) {
      throw new BusCodecError(`'${name}' is not a valid CloudEvents extension attribute name`);
    }
    attributes[name] = value;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) headers[`${CE_HEADER_PREFIX}${name}`] = encodeCeHeaderValue(value);
  }
  return headers;
}

/**
 * Reads CloudEvents attributes from lower-cased headers. Returns `undefined` unless the message is a
 * binary-mode CloudEvent (`ce-specversion`, `ce-type`, `ce-id` and `ce-source` all present).
 */
export function readCloudEvent(headers: Readonly<Record<string, string>>): CloudEventAttributes | undefined {
  const attr = (name: string): string | undefined => {
    const raw = headers[`${CE_HEADER_PREFIX}${name}`];
    return raw === undefined ? undefined : decodeCeHeaderValue(raw);
  };
  const specversion = attr('specversion');
  const type = attr('type');
  const id = attr('id');
  const source = attr('source');
  if (specversion === undefined || !type || id === undefined || source === undefined) return undefined;
  const extensions: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(CE_HEADER_PREFIX)) continue;
    const attribute = name.slice(CE_HEADER_PREFIX.length);
    if (!CORE_ATTRIBUTES.has(attribute)) extensions[attribute] = decodeCeHeaderValue(value);
  }
  return {
    specversion,
    type,
    id,
    source,
    time: attr('time'),
    subject: attr('subject'),
    dataschema: attr('dataschema'),
    datacontenttype: attr('datacontenttype'),
    extensions,
  };
}
