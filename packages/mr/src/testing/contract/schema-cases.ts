// Reads our OpenAPI document to generate bad input: the request body's fields and what each accepts,
// the typed query parameters, and values of the wrong JSON type or format for each. Generated from the
// document, so operations and fields added later are covered without touching the tests.
import type { OpenApiDocument } from '../../api/openapi-document.ts';

type Json = Record<string, unknown>;

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The operation object of our document with this operationId. */
export function documentOperation(doc: OpenApiDocument, operationId: string): Json | undefined {
  for (const item of Object.values(doc.paths ?? {})) {
    for (const candidate of Object.values(item)) {
      if (isObject(candidate) && candidate['operationId'] === operationId) return candidate;
    }
  }
  return undefined;
}

/** Follows `$ref`s and single-member `allOf`/`anyOf` wrappers to the schema that says something. */
export function resolve(schema: unknown, doc: OpenApiDocument): Json {
  let current: unknown = schema;
  for (let depth = 0; depth < 20; depth++) {
    if (!isObject(current)) return {};
    const ref = current['$ref'];
    if (typeof ref === 'string') {
      current = doc.components?.schemas?.[ref.split('/').pop() ?? ''];
      continue;
    }
    const allOf = current['allOf'];
    if (Array.isArray(allOf) && allOf.length === 1 && current['properties'] === undefined) {
      current = allOf[0];
      continue;
    }
    return current;
  }
  return {};
}

/** The JSON types a schema accepts, or undefined when it accepts anything. */
export function acceptedTypes(schema: unknown, doc: OpenApiDocument): Set<JsonType> | undefined {
  const s = resolve(schema, doc);
  const out = new Set<JsonType>();
  const members = [s['anyOf'], s['oneOf']].find(Array.isArray) as unknown[] | undefined;
  if (members) {
    for (const m of members) {
      const inner = acceptedTypes(m, doc);
      if (!inner) return undefined;
      for (const t of inner) out.add(t);
    }
  } else if (typeof s['type'] === 'string') {
    out.add(s['type'] as JsonType);
  } else if (Array.isArray(s['type'])) {
    for (const t of s['type']) out.add(t as JsonType);
  } else if (s['properties'] || s['allOf']) {
    out.add('object');
  } else if (s['items']) {
    out.add('array');
  } else if (Array.isArray(s['enum'])) {
    for (const v of s['enum']) out.add(v === null ? 'null' : (typeof v as JsonType));
  } else {
    return undefined;
  }
  if (s['nullable'] === true) out.add('null');
  if (out.has('number')) out.add('integer');
  return out;
}

/** The properties and required names of an object schema (allOf members merged). */
export function objectFields(
  schema: unknown,
  doc: OpenApiDocument,
): { properties: Json; required: string[] } {
  const s = resolve(schema, doc);
  const properties: Json = {};
  const required: string[] = [];
  for (const part of [...(Array.isArray(s['allOf']) ? s['allOf'] : []), s]) {
    const r = part === s ? s : resolve(part, doc);
    if (isObject(r['properties'])) Object.assign(properties, r['properties']);
    if (Array.isArray(r['required'])) required.push(...(r['required'] as string[]));
  }
  return { properties, required };
}

const CANDIDATES: { type: JsonType; value: unknown }[] = [
  { type: 'object', value: { nested: 'object' } },
  { type: 'array', value: [1, 'two'] },
  { type: 'string', value: 'a string' },
  { type: 'number', value: 12.5 },
  { type: 'boolean', value: true },
];

/**
 * Values the schema refuses: one of a JSON type it does not accept (the choice rotates with `turn`, so
 * every kind of mistake turns up across fields), and for constrained strings one of the right type
 * but outside the format or enum.
 */
export function wrongValues(
  schema: unknown,
  doc: OpenApiDocument,
  turn: number,
): { label: string; value: unknown }[] {
  const accepted = acceptedTypes(schema, doc);
  if (!accepted) return [];
  const out: { label: string; value: unknown }[] = [];
  for (let i = 0; i < CANDIDATES.length; i++) {
    const c = CANDIDATES[(i + turn) % CANDIDATES.length]!;
    const fits = accepted.has(c.type) || (c.type === 'number' && accepted.has('number'));
    if (!fits) {
      out.push({ label: `${c.type} instead of ${[...accepted].join('|')}`, value: c.value });
      break;
    }
  }
  const s = resolve(schema, doc);
  if (accepted.has('string') && typeof s['format'] === 'string' && s['format'] !== 'password') {
    out.push({ label: `a string that is no ${s['format']}`, value: `not a ${s['format']}` });
  }
  if (Array.isArray(s['enum'])) out.push({ label: 'a value outside the enum', value: 'NOT_AN_ENUM_VALUE' });
  return out;
}

/** A string schema without format or enum: free text, where any characters are valid input. */
export function isFreeText(schema: unknown, doc: OpenApiDocument): boolean {
  const s = resolve(schema, doc);
  return s['type'] === 'string' && s['format'] === undefined && s['enum'] === undefined;
}

/** The request body schema of an operation, if it takes one. */
export function requestBodySchema(doc: OpenApiDocument, operationId: string): unknown {
  const op = documentOperation(doc, operationId);
  const body = op?.['requestBody'] as Json | undefined;
  const content = body?.['content'] as Json | undefined;
  return (content?.['application/json'] as Json | undefined)?.['schema'];
}

/** The query parameters of an operation with their schemas. */
export function queryParameters(
  doc: OpenApiDocument,
  operationId: string,
): { name: string; schema: unknown }[] {
  const op = documentOperation(doc, operationId);
  const params = Array.isArray(op?.['parameters']) ? (op['parameters'] as Json[]) : [];
  return params
    .filter((p) => p['in'] === 'query')
    .map((p) => ({ name: String(p['name']), schema: p['schema'] }));
}

/** The path parameters whose schema is a uuid. */
export function uuidPathParameters(doc: OpenApiDocument, operationId: string): Set<string> {
  const op = documentOperation(doc, operationId);
  const params = Array.isArray(op?.['parameters']) ? (op['parameters'] as Json[]) : [];
  return new Set(
    params
      .filter((p) => p['in'] === 'path' && resolve(p['schema'], doc)['format'] === 'uuid')
      .map((p) => String(p['name'])),
  );
}

/** A place in a request body the schema describes: where it is and what it accepts. */
export interface FieldSlot {
  path: (string | number)[];
  schema: unknown;
  /** The enclosing object requires it. */
  required: boolean;
}

/**
 * Every field the schema declares in the objects a valid body holds, at any depth (the first item of
 * each array, and one entry of each string map), so nested mistakes get generated too.
 */
export function fieldSlots(
  value: unknown,
  schema: unknown,
  doc: OpenApiDocument,
  path: (string | number)[] = [],
  depth = 0,
): FieldSlot[] {
  if (depth > 4) return [];
  const s = resolve(schema, doc);
  if (Array.isArray(value)) {
    return value.length > 0 && s['items'] !== undefined
      ? fieldSlots(value[0], s['items'], doc, [...path, 0], depth + 1)
      : [];
  }
  if (!isObject(value)) return [];
  const out: FieldSlot[] = [];
  const { properties, required } = objectFields(schema, doc);
  for (const [name, propertySchema] of Object.entries(properties)) {
    out.push({ path: [...path, name], schema: propertySchema, required: required.includes(name) });
    if (value[name] !== undefined && value[name] !== null) {
      out.push(...fieldSlots(value[name], propertySchema, doc, [...path, name], depth + 1));
    }
  }
  const additional = s['additionalProperties'];
  if (isObject(additional) && Object.keys(properties).length === 0) {
    out.push({ path: [...path, 'some.key'], schema: additional, required: false });
  }
  return out;
}

/** The value at `path` in `body`, if there is one. */
export function valueAt(body: unknown, path: readonly (string | number)[]): unknown {
  let node: unknown = body;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** A copy of `body` with the value at `path` replaced (or removed, for `undefined`). */
export function withValueAt(body: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** `a.b[0].c` */
export function describePath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
