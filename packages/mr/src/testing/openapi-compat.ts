import { allOperations, type OperationId } from '@fh/contracts/admin-api';
import { createHttpServer, HealthRegistry, Metrics, silentLogger } from '@fh/service-kit';
import { registerMrApi, route } from '../api/mr-api-plugin.ts';
import type { OpenApiDocument } from '../api/openapi-document.ts';

/**
 * Compares the OpenAPI document we generate with the upstream admin API contract (mr-api 1.2.5, read by
 * ./upstream-api.ts): for each operation in scope the path, method, parameters, request body and success
 * responses, and every component schema, structurally (references resolved, allOf merged, nullability
 * normalised). Each difference is one readable line; an empty list means compatible. Tests only.
 */

type Json = Record<string, unknown>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Our document as the server generates it, with a stand-in handler for every operation in scope. */
export async function buildMrApiDocument(): Promise<OpenApiDocument> {
  const app = createHttpServer({
    logger: silentLogger(),
    metrics: new Metrics(),
    health: new HealthRegistry(),
    version: { name: 'featurehub-mr', version: 'compat' },
  });
  try {
    await registerMrApi(app);
    for (const spec of allOperations()) {
      if (!spec.inScope || spec.servedElsewhere) continue;
      route(app, spec.operationId, async () => {
        throw new Error('not implemented');
      });
    }
    await app.ready();
    return structuredClone(app.swagger()) as unknown as OpenApiDocument;
  } finally {
    await app.close();
  }
}

/**
 * The operationIds of our table that are in scope: those of mr-api 1.2.5 (the default), or those we took from
 * upstream's newer API 1.2.6 (`since: '1.2.6'`).
 */
export function inScopeOperationIds(version: '1.2.5' | '1.2.6' = '1.2.5'): OperationId[] {
  return allOperations()
    .filter((o) => o.inScope && (version === '1.2.6' ? o.since === '1.2.6' : o.since === undefined))
    .map((o) => o.operationId);
}

/** The schemas of API 1.2.6 we serve beside 1.2.5's (head/feature-filters.yaml). */
export const API_126_SCHEMAS = [
  'CreateFeatureFilter',
  'FeatureFilter',
  'SearchFeatureFilterServiceAccount',
  'SearchFeatureFilterFeature',
  'SearchFeatureFilterApplication',
  'SearchFeatureFilterItem',
  'SearchFeatureFilterResult',
  'MatchTypeEnum',
  'MatchingFilter',
  'MatchingFilterResult',
  'MatchingFilterResults',
  'OptionalAnemicPerson',
  'UpdateGroup',
] as const;

/** The 1.2.5 schemas that carry 1.2.6's added properties (one set of schemas serves both documents). */
export const API_126_EXTENDED_SCHEMAS = [
  'Feature',
  'CreateFeature',
  'ServiceAccount',
  'CreateServiceAccount',
] as const;

/**
 * What comparing our document with mr-api 1.2.5 reports because we also serve API 1.2.6: its added
 * properties and its added components. Nothing else may differ.
 */
export const API_126_ADDITIONS: readonly string[] = [
  'components.schemas.Feature.featureFilter: property not upstream',
  'components.schemas.CreateFeature.featureFilter: property not upstream',
  'components.schemas.ServiceAccount.featureFilters: property not upstream',
  'components.schemas.ServiceAccount.permsInvalid: property not upstream',
  'components.schemas.Group.simpleMembers: property not upstream',
  'components.schemas.Group.superMembers: property not upstream',
  'getGroup: parameter query:includeMembersV2 is not upstream',
  'findAllFeatureAndFeatureValuesForEnvironmentsByApplication: parameter query:featureFilter is not upstream',
  'addPersonToGroup: parameter query:includeMembersV2 is not upstream',
  'deletePersonFromGroup: parameter query:includeMembersV2 is not upstream',
  'components.schemas.CreateServiceAccount.featureFilter: property not upstream',
  ...API_126_SCHEMAS.map((name) => `components.schemas.${name}: not an upstream component`),
];

interface LocatedOperation {
  path: string;
  method: string;
  operation: Json;
  parameters: Json[];
}

function indexOperations(doc: OpenApiDocument): Map<string, LocatedOperation> {
  const out = new Map<string, LocatedOperation>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const shared = asArray(item['parameters']);
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation || typeof operation['operationId'] !== 'string') continue;
      // Operation-level parameters override path-level ones of the same name and location, and
      // upstream lists some twice: keep the last of each.
      const byKey = new Map<string, Json>();
      for (const p of [...shared, ...asArray(operation['parameters'])])
        byKey.set(`${p['in']}:${p['name']}`, p);
      out.set(operation['operationId'], { path, method, operation, parameters: [...byKey.values()] });
    }
  }
  return out;
}

/**
 * Every difference between our document and upstream's for the given operations and all component
 * schemas. Lines read `<operationId>: <where>: <what>` or `components.schemas.<Name>.<where>: <what>`.
 */
export function compareDocuments(
  ours: OpenApiDocument,
  upstream: OpenApiDocument,
  operationIds: readonly string[],
  /** Compare only these component schemas (default: all of both documents). */
  schemaNames?: readonly string[],
): string[] {
  const diffs: string[] = [];
  const cmp = new SchemaComparer(ours, upstream, diffs);
  const ourOps = indexOperations(ours);
  const theirOps = indexOperations(upstream);

  for (const id of operationIds) {
    const mine = ourOps.get(id);
    const theirs = theirOps.get(id);
    if (!theirs) {
      diffs.push(`${id}: not an upstream operation`);
      continue;
    }
    if (!mine) {
      diffs.push(`${id}: missing from our document (upstream ${theirs.method.toUpperCase()} ${theirs.path})`);
      continue;
    }
    if (mine.path !== theirs.path || mine.method !== theirs.method) {
      diffs.push(
        `${id}: served at ${mine.method.toUpperCase()} ${mine.path}, upstream ${theirs.method.toUpperCase()} ${theirs.path}`,
      );
    }
    compareSecurity(id, mine.operation, theirs.operation, diffs);
    compareParameters(id, mine.parameters, theirs.parameters, cmp, diffs);
    compareRequestBody(id, mine.operation, theirs.operation, cmp, diffs);
    compareResponses(id, mine.operation, theirs.operation, cmp, diffs);
  }

  const ourSchemas = ours.components?.schemas ?? {};
  const theirSchemas = upstream.components?.schemas ?? {};
  if (schemaNames !== undefined) {
    for (const name of schemaNames) {
      if (!(name in theirSchemas)) diffs.push(`components.schemas.${name}: not an upstream component`);
      else if (!(name in ourSchemas)) diffs.push(`components.schemas.${name}: missing from our document`);
      else cmp.compare(refTo(name), refTo(name), `components.schemas.${name}`);
    }
    return diffs;
  }
  for (const name of Object.keys(theirSchemas)) {
    if (!(name in ourSchemas)) diffs.push(`components.schemas.${name}: missing from our document`);
    else cmp.compare(refTo(name), refTo(name), `components.schemas.${name}`);
  }
  for (const name of Object.keys(ourSchemas)) {
    if (!(name in theirSchemas)) diffs.push(`components.schemas.${name}: not an upstream component`);
  }
  return diffs;
}

function compareSecurity(id: string, mine: Json, theirs: Json, diffs: string[]): void {
  const needs = (op: Json) => asArray(op['security']).some((s) => 'bearerAuth' in s);
  if (needs(mine) !== needs(theirs)) {
    diffs.push(
      `${id}: bearer token ${needs(mine) ? 'required' : 'not required'} by us, upstream the opposite`,
    );
  }
}

function compareParameters(
  id: string,
  mine: Json[],
  theirs: Json[],
  cmp: SchemaComparer,
  diffs: string[],
): void {
  const key = (p: Json) => `${p['in']}:${p['name']}`;
  const ourByKey = new Map(mine.map((p) => [key(p), p]));
  const theirByKey = new Map(theirs.map((p) => [key(p), p]));
  for (const [k, their] of theirByKey) {
    const our = ourByKey.get(k);
    if (!our) {
      diffs.push(`${id}: parameter ${k} missing`);
      continue;
    }
    const required = (p: Json) => p['in'] === 'path' || p['required'] === true;
    if (required(our) !== required(their)) {
      diffs.push(`${id}: parameter ${k} required: ours ${required(our)}, upstream ${required(their)}`);
    }
    cmp.compare(our['schema'], their['schema'], `${id}: parameter ${k}`);
  }
  for (const k of ourByKey.keys()) {
    if (!theirByKey.has(k)) diffs.push(`${id}: parameter ${k} is not upstream`);
  }
}

function jsonSchemaOf(container: unknown): unknown {
  const content = (container as Json | undefined)?.['content'] as Json | undefined;
  return (content?.['application/json'] as Json | undefined)?.['schema'];
}

function compareRequestBody(
  id: string,
  mine: Json,
  theirs: Json,
  cmp: SchemaComparer,
  diffs: string[],
): void {
  const ourBody = mine['requestBody'] as Json | undefined;
  const theirBody = theirs['requestBody'] as Json | undefined;
  if (!ourBody && !theirBody) return;
  if (!ourBody || !theirBody) {
    diffs.push(
      `${id}: request body ${ourBody ? 'present' : 'absent'} in ours, ${theirBody ? 'present' : 'absent'} upstream`,
    );
    return;
  }
  if ((ourBody['required'] === true) !== (theirBody['required'] === true)) {
    diffs.push(
      `${id}: request body required: ours ${ourBody['required'] === true}, upstream ${theirBody['required'] === true}`,
    );
  }
  cmp.compare(jsonSchemaOf(ourBody), jsonSchemaOf(theirBody), `${id}: request body`);
}

function compareResponses(id: string, mine: Json, theirs: Json, cmp: SchemaComparer, diffs: string[]): void {
  const success = (op: Json) =>
    Object.fromEntries(
      Object.entries((op['responses'] as Json | undefined) ?? {}).filter(([s]) => /^2\d\d$/.test(s)),
    );
  const ours = success(mine);
  const upstream = success(theirs);
  for (const [status, their] of Object.entries(upstream)) {
    const our = ours[status];
    if (!our) {
      diffs.push(`${id}: response ${status} missing`);
      continue;
    }
    const ourSchema = jsonSchemaOf(our);
    const theirSchema = jsonSchemaOf(their);
    if ((ourSchema === undefined) !== (theirSchema === undefined)) {
      diffs.push(
        `${id}: response ${status} has ${ourSchema === undefined ? 'no body' : 'a body'} in ours, ${theirSchema === undefined ? 'no body' : 'a body'} upstream`,
      );
      continue;
    }
    if (theirSchema !== undefined) cmp.compare(ourSchema, theirSchema, `${id}: response ${status}`);
  }
  for (const status of Object.keys(ours)) {
    if (!(status in upstream)) diffs.push(`${id}: response ${status} is not upstream`);
  }
}

// ---- structural schema comparison ----

interface Flat {
  /** The component the schema came from, if it was a reference. */
  ref?: string;
  type: string;
  nullable: boolean;
  format?: string;
  enum?: string[];
  maxLength?: number;
  minLength?: number;
  items?: unknown;
  properties?: Record<string, unknown>;
  required?: string[];
  /** Schema of map values (additionalProperties / patternProperties), if any. */
  values?: unknown;
}

const STRUCTURAL = ['type', 'properties', 'items', 'additionalProperties', 'enum', 'allOf', 'anyOf', 'oneOf'];

class SchemaComparer {
  /** Components already compared: each once, under its own name, which also ends recursion. */
  private readonly compared = new Set<string>();

  constructor(
    private readonly ours: OpenApiDocument,
    private readonly upstream: OpenApiDocument,
    private readonly diffs: string[],
  ) {}

  compare(ourSchema: unknown, theirSchema: unknown, where: string): void {
    const a = flatten(ourSchema, this.ours);
    const b = flatten(theirSchema, this.upstream);
    if (a.ref !== undefined && b.ref !== undefined) {
      if (a.ref !== b.ref) {
        this.diffs.push(`${where}: refers to ${a.ref} in ours, ${b.ref} upstream`);
        return;
      }
      this.compareNullable(a, b, where);
      if (this.compared.has(a.ref)) return;
      this.compared.add(a.ref);
      this.compareFlat(a, b, `components.schemas.${a.ref}`, false);
      return;
    }
    if (a.ref !== undefined || b.ref !== undefined) {
      this.diffs.push(
        `${where}: ${a.ref ? `refers to ${a.ref} in ours` : `refers to ${b.ref} upstream`}, inline on the other side`,
      );
    }
    this.compareFlat(a, b, where, true);
  }

  private compareNullable(a: Flat, b: Flat, where: string): void {
    if (a.type !== 'any' && b.type !== 'any' && a.nullable !== b.nullable) {
      this.diffs.push(`${where}: nullable ours ${a.nullable}, upstream ${b.nullable}`);
    }
  }

  private compareFlat(a: Flat, b: Flat, where: string, withNullable: boolean): void {
    if (a.type !== b.type) {
      this.diffs.push(`${where}: type ours ${a.type}, upstream ${b.type}`);
      return;
    }
    if (withNullable) this.compareNullable(a, b, where);
    for (const key of ['format', 'maxLength', 'minLength'] as const) {
      if (a[key] !== b[key])
        this.diffs.push(`${where}: ${key} ours ${a[key] ?? 'none'}, upstream ${b[key] ?? 'none'}`);
    }
    const enumA = (a.enum ?? []).slice().sort().join(', ');
    const enumB = (b.enum ?? []).slice().sort().join(', ');
    if (enumA !== enumB) this.diffs.push(`${where}: enum ours [${enumA}], upstream [${enumB}]`);

    if (a.type === 'array') {
      this.compare(a.items, b.items, `${where}[]`);
      return;
    }
    if (a.type !== 'object') return;

    const propsA = a.properties ?? {};
    const propsB = b.properties ?? {};
    for (const name of Object.keys(propsB)) {
      if (!(name in propsA)) this.diffs.push(`${where}.${name}: property missing in ours`);
      else this.compare(propsA[name], propsB[name], `${where}.${name}`);
    }
    for (const name of Object.keys(propsA)) {
      if (!(name in propsB)) this.diffs.push(`${where}.${name}: property not upstream`);
    }
    const reqA = (a.required ?? []).slice().sort().join(', ');
    const reqB = (b.required ?? []).slice().sort().join(', ');
    if (reqA !== reqB) this.diffs.push(`${where}: required ours [${reqA}], upstream [${reqB}]`);
    if ((a.values === undefined) !== (b.values === undefined)) {
      this.diffs.push(
        `${where}: map values ${a.values === undefined ? 'absent' : 'present'} in ours, the opposite upstream`,
      );
    } else if (a.values !== undefined) {
      this.compare(a.values, b.values, `${where}{*}`);
    }
  }
}

function refTo(name: string): Json {
  return { $ref: `#/components/schemas/${name}` };
}

function resolveRef(ref: string, doc: OpenApiDocument): { name: string; schema: unknown } {
  const name = ref.split('/').pop() ?? ref;
  return { name, schema: doc.components?.schemas?.[name] };
}

function isNullOnly(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  if (schema['type'] === 'null') return true;
  const values = schema['enum'];
  return Array.isArray(values) && values.length === 1 && values[0] === null;
}

/** Resolves references, merges allOf, and turns every spelling of "nullable" into one flag. */
function flatten(input: unknown, doc: OpenApiDocument, seen: ReadonlySet<string> = new Set()): Flat {
  if (!isObject(input)) return { type: 'any', nullable: false };
  const schema: Json = input;
  let nullable = schema['nullable'] === true;

  if (typeof schema['$ref'] === 'string') {
    const resolved = resolveRef(schema['$ref'], doc);
    if (seen.has(resolved.name)) return { ref: resolved.name, type: 'object', nullable };
    const inner = flatten(resolved.schema, doc, new Set([...seen, resolved.name]));
    return { ...inner, ref: resolved.name, nullable: nullable || inner.nullable };
  }

  for (const combinator of ['anyOf', 'oneOf'] as const) {
    const members = asArray(schema[combinator]);
    if (members.length === 0) continue;
    const nonNull = members.filter((m) => !isNullOnly(m));
    if (nonNull.length < members.length) nullable = true;
    if (nonNull.length === 1 && !STRUCTURAL.some((k) => k !== combinator && k in schema)) {
      const inner = flatten(nonNull[0], doc, seen);
      return { ...inner, nullable: nullable || inner.nullable };
    }
  }

  const allOf = asArray(schema['allOf']);
  if (allOf.length === 1 && !STRUCTURAL.some((k) => k !== 'allOf' && k in schema)) {
    const inner = flatten(allOf[0], doc, seen);
    return { ...inner, nullable: nullable || inner.nullable };
  }
  if (allOf.length > 0) {
    const merged: Flat = { type: 'object', nullable, properties: {}, required: [] };
    for (const part of [...allOf, { ...schema, allOf: undefined }]) {
      const flat = flatten(part, doc, seen);
      Object.assign(merged.properties as Json, flat.properties ?? {});
      for (const r of flat.required ?? []) if (!merged.required?.includes(r)) merged.required?.push(r);
    }
    return merged;
  }

  const properties = isObject(schema['properties'])
    ? (schema['properties'] as Record<string, unknown>)
    : undefined;
  const additional = schema['additionalProperties'];
  const pattern = isObject(schema['patternProperties'])
    ? Object.values(schema['patternProperties'])[0]
    : undefined;
  const values = isObject(additional) ? additional : pattern;
  const type =
    typeof schema['type'] === 'string'
      ? schema['type']
      : properties || values
        ? 'object'
        : schema['items']
          ? 'array'
          : 'any';
  const rawEnum = Array.isArray(schema['enum']) ? (schema['enum'] as unknown[]) : undefined;
  if (rawEnum?.includes(null)) nullable = true;
  const flat: Flat = { type, nullable };
  if (typeof schema['format'] === 'string') flat.format = schema['format'];
  if (rawEnum) flat.enum = rawEnum.filter((v) => v !== null).map(String);
  if (typeof schema['maxLength'] === 'number') flat.maxLength = schema['maxLength'];
  if (typeof schema['minLength'] === 'number') flat.minLength = schema['minLength'];
  if (schema['items'] !== undefined) flat.items = schema['items'];
  if (properties) flat.properties = properties;
  if (Array.isArray(schema['required'])) flat.required = schema['required'].map(String);
  if (values !== undefined) flat.values = values;
  return flat;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}
