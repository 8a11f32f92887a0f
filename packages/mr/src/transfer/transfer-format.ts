import { APPLICATION_ROLE_TYPES, ROLE_TYPES } from '@fh/contracts';
import { BadRequestError } from '@fh/service-kit';
import Ajv from 'ajv';
import { parseDocument, stringify } from 'yaml';

// The flags-as-code file: one organisation's portfolios, applications, environments, features, values,
// strategies, feature groups, feature filters and service accounts, with their ids, in a fixed order so a
// diff shows only what changed. Versions, timestamps and who-changed-what are left out on purpose: they
// belong to the installation, not to the definition. See docs/import-export.md.

/** The value of the document's `featurehub` field; a new major layout gets a new one. */
export const TRANSFER_FORMAT = 'featurehub/transfer-v1';

export interface TransferDocument {
  featurehub: typeof TRANSFER_FORMAT;
  organisation: {
    id: string;
    name: string;
    /** Organisation-wide groups: the superusers group (`admin: true`). Only with --include-people. */
    groups?: TransferGroup[];
  };
  /**
   * People and admin API service accounts, without passwords or tokens. Only with --include-people (and always
   * when importing from a running FeatureHub). Someone new to the target gets a registration link.
   */
  people?: TransferPerson[];
  portfolios: TransferPortfolio[];
}

export interface TransferPerson {
  id: string;
  /** admin service accounts have no email at upstream; ours carry a generated one */
  email: string | null;
  name: string | null;
  type: 'person' | 'serviceAccount';
  /** deactivated (archived) at the source */
  deactivated: boolean;
}

/** A group and its permissions; members are ids from `people`. */
export interface TransferGroup {
  id: string;
  name: string;
  /** the organisation's superusers group, or a portfolio's admin group */
  admin: boolean;
  members: string[];
  /** ApplicationRoleType values per application of the portfolio */
  applications: { application: string; roles: string[] }[];
  /** RoleType values per environment of the portfolio */
  environments: { environment: string; roles: string[] }[];
}

export interface TransferPortfolio {
  id: string;
  name: string;
  description: string | null;
  featureFilters: TransferFeatureFilter[];
  serviceAccounts: TransferServiceAccount[];
  /** The portfolio's groups with their permissions and members. Only with --include-people. */
  groups?: TransferGroup[];
  applications: TransferApplication[];
}

export interface TransferFeatureFilter {
  id: string;
  name: string;
  description: string | null;
}

export interface TransferServiceAccount {
  id: string;
  name: string;
  description: string | null;
  /** Only with --include-keys: the SDK keys that applications in the field are configured with. */
  apiKeys?: { serverEvaluated: string; clientEvaluated: string };
  /** ids of the portfolio's feature filters */
  featureFilters: string[];
  environments: { environment: string; roles: string[] }[];
}

export interface TransferApplication {
  id: string;
  name: string;
  description: string | null;
  strategies: TransferApplicationStrategy[];
  features: TransferFeature[];
  environments: TransferEnvironment[];
}

export interface TransferApplicationStrategy {
  id: string;
  name: string;
  code: string;
  strategy: unknown;
}

export interface TransferFeature {
  id: string;
  key: string;
  name: string;
  alias: string | null;
  valueType: 'BOOLEAN' | 'STRING' | 'NUMBER' | 'JSON';
  description: string | null;
  link: string | null;
  metadata: string | null;
  secret: boolean;
  /** ids of the portfolio's feature filters */
  featureFilters: string[];
}

export interface TransferEnvironment {
  id: string;
  name: string;
  description: string | null;
  /** id of the environment before this one in the promotion order */
  priorEnvironment: string | null;
  production: boolean;
  info: Record<string, unknown>;
  managementInfo: Record<string, unknown>;
  /** Only with --include-keys: webhook settings may hold credentials. */
  webhookInfo?: Record<string, unknown>;
  values: TransferFeatureValue[];
  featureGroups: TransferFeatureGroup[];
}

export interface TransferFeatureValue {
  id: string;
  /** the feature's key */
  feature: string;
  /**
   * The value's version at export. Used only when the value is created, so SDKs see the same version as at the
   * source; a changed value always goes one up from the version the target holds.
   */
  version?: number;
  /** as stored: "true"/"false", the number or string, or the JSON text; null for no value */
  value: string | null;
  locked: boolean;
  retired: boolean;
  strategies: unknown[];
  applicationStrategies: { strategy: string; enabled: boolean; value: string | null }[];
}

export interface TransferFeatureGroup {
  id: string;
  name: string;
  description: string | null;
  position: number;
  strategies: unknown[];
  features: { feature: string; value: string | null }[];
}

const id = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,36}$' };
const text = (max: number) => ({ type: 'string', maxLength: max });
const nullableText = (max: number) => ({ type: ['string', 'null'], maxLength: max });
const object = (properties: Record<string, unknown>, optional: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  properties,
});
const list = (items: unknown, maxItems = 100_000) => ({ type: 'array', maxItems, items });
const jsonObject = { type: 'object' };
const roles = list({ enum: [...ROLE_TYPES] }, ROLE_TYPES.length);
const applicationRoles = list({ enum: [...APPLICATION_ROLE_TYPES] }, APPLICATION_ROLE_TYPES.length);
const group = object({
  id,
  name: text(255),
  admin: { type: 'boolean' },
  members: list(id),
  applications: list(object({ application: id, roles: applicationRoles })),
  environments: list(object({ environment: id, roles })),
});
const person = object({
  id,
  email: nullableText(255),
  name: nullableText(150),
  type: { enum: ['person', 'serviceAccount'] },
  deactivated: { type: 'boolean' },
});

/** The JSON Schema (draft-07) every file is validated with; published as docs/import-export.schema.json. */
export const transferJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'import-export.schema.json',
  title: 'FeatureHub flags-as-code file (featurehub/transfer-v1)',
  ...object(
    {
      featurehub: { const: TRANSFER_FORMAT },
      organisation: object({ id, name: text(255), groups: list(group) }, ['groups']),
      people: list(person),
      portfolios: list(
        object(
          {
            id,
            name: text(255),
            description: nullableText(10_000),
            featureFilters: list(object({ id, name: text(255), description: nullableText(10_000) })),
            serviceAccounts: list(
              object(
                {
                  id,
                  name: text(255),
                  description: nullableText(10_000),
                  apiKeys: object({ serverEvaluated: text(200), clientEvaluated: text(200) }),
                  featureFilters: list(id),
                  environments: list(object({ environment: id, roles })),
                },
                ['apiKeys'],
              ),
            ),
            groups: list(group),
            applications: list(
              object({
                id,
                name: text(255),
                description: nullableText(10_000),
                strategies: list(object({ id, name: text(255), code: text(255), strategy: {} })),
                features: list(
                  object({
                    id,
                    key: { type: 'string', minLength: 1, maxLength: 255 },
                    name: text(255),
                    alias: nullableText(255),
                    valueType: { enum: ['BOOLEAN', 'STRING', 'NUMBER', 'JSON'] },
                    description: nullableText(10_000),
                    link: nullableText(2_000),
                    metadata: nullableText(1_000_000),
                    secret: { type: 'boolean' },
                    featureFilters: list(id),
                  }),
                ),
                environments: list(
                  object(
                    {
                      id,
                      name: text(255),
                      description: nullableText(10_000),
                      priorEnvironment: { anyOf: [id, { type: 'null' }] },
                      production: { type: 'boolean' },
                      info: jsonObject,
                      managementInfo: jsonObject,
                      webhookInfo: jsonObject,
                      values: list(
                        object(
                          {
                            id,
                            feature: text(255),
                            version: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
                            value: nullableText(10_000_000),
                            locked: { type: 'boolean' },
                            retired: { type: 'boolean' },
                            strategies: list({}),
                            applicationStrategies: list(
                              object({
                                strategy: id,
                                enabled: { type: 'boolean' },
                                value: nullableText(10_000_000),
                              }),
                            ),
                          },
                          ['version'],
                        ),
                      ),
                      featureGroups: list(
                        object({
                          id,
                          name: text(255),
                          description: nullableText(10_000),
                          position: { type: 'integer', minimum: 0, maximum: 1_000_000 },
                          strategies: list({}),
                          features: list(object({ feature: text(255), value: nullableText(10_000_000) })),
                        }),
                      ),
                    },
                    ['webhookInfo'],
                  ),
                ),
              }),
            ),
          },
          ['groups'],
        ),
      ),
    },
    ['people'],
  ),
} as const;

/** A file that cannot be imported: what is wrong and where (a JSON-pointer-like path). */
export class TransferFileError extends BadRequestError {
  constructor(
    readonly where: string,
    what: string,
  ) {
    super(`${where}: ${what}`);
  }
}

/** Files larger than this are refused before parsing. */
export const MAX_TRANSFER_FILE_BYTES = 64 * 1024 * 1024;

let validator: ReturnType<Ajv['compile']> | undefined;

/** Parses YAML or JSON text (JSON is YAML), validates it against the schema and its cross-references. */
export function parseTransferDocument(textIn: string, source = 'file'): TransferDocument {
  if (Buffer.byteLength(textIn, 'utf8') > MAX_TRANSFER_FILE_BYTES) {
    throw new TransferFileError(source, `larger than ${MAX_TRANSFER_FILE_BYTES} bytes`);
  }
  let data: unknown;
  // JSON (what a program writes, and `--format json`) is read by the JSON parser: far faster than YAML's on large
  // files. Anything else, and JSON with an error (for its line and column), goes to the YAML parser.
  if (/^\s*[{[]/.test(textIn.slice(0, 100))) {
    try {
      data = JSON.parse(textIn) as unknown;
    } catch {
      data = undefined;
    }
    if (data !== undefined) {
      // JSON.parse keeps a repeated key's last value silently; YAML's parser refuses it, and so does this.
      const offset = repeatedJsonKey(textIn);
      if (offset !== undefined) {
        const before = textIn.slice(0, offset).split('\n');
        throw new TransferFileError(
          `${source} line ${before.length} column ${before[before.length - 1]!.length + 1}`,
          'not valid YAML or JSON: map keys must be unique',
        );
      }
    }
  }
  if (data === undefined) data = parseYaml(textIn, source);
  validator ??= new Ajv({ allErrors: false, strict: false }).compile(transferJsonSchema);
  if (!validator(data)) {
    const e = validator.errors![0]!;
    const where = `${source}#${e.instancePath || '/'}`;
    const detail =
      e.keyword === 'additionalProperties'
        ? `unknown field ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`
        : e.keyword === 'const'
          ? `must be ${JSON.stringify(TRANSFER_FORMAT)}`
          : (e.message ?? 'is invalid');
    throw new TransferFileError(where, detail);
  }
  const document = data as TransferDocument;
  checkReferences(document, source);
  return document;
}

/** Where the first key repeated within one object of valid JSON text starts, if any (one linear pass). */
function repeatedJsonKey(json: string): number | undefined {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      let escaped = false;
      while (j < json.length) {
        const d = json.charCodeAt(j);
        if (d === 0x5c) {
          escaped = true;
          j += 2;
        } else if (d === 0x22) break;
        else j++;
      }
      const keys = stack[stack.length - 1];
      if (expectKey && keys) {
        const key = escaped ? (JSON.parse(json.slice(i, j + 1)) as string) : json.slice(i + 1, j);
        if (keys.has(key)) return i;
        keys.add(key);
      }
      expectKey = false;
      i = j;
    } else if (c === 0x7b) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b) {
      stack.push(null);
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = (stack[stack.length - 1] ?? null) !== null;
    } else if (c === 0x3a) {
      expectKey = false;
    }
  }
  return undefined;
}

function parseYaml(textIn: string, source: string): unknown {
  // Aliases are capped (a "billion laughs" file fails), duplicate keys are an error, no custom tags.
  const doc = parseDocument(textIn, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = e.linePos?.[0] ? ` line ${e.linePos[0].line} column ${e.linePos[0].col}` : '';
    throw new TransferFileError(`${source}${at}`, `not valid YAML or JSON: ${e.message.split('\n')[0]}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (e) {
    throw new TransferFileError(source, `cannot be read: ${(e as Error).message}`);
  }
}

/** Every id unique, and every reference pointing at something in the file. */
function checkReferences(doc: TransferDocument, source: string): void {
  const seen = new Map<string, string>();
  const unique = (value: string, where: string) => {
    const before = seen.get(value);
    if (before !== undefined)
      throw new TransferFileError(`${source}#${where}`, `id ${value} also used at ${before}`);
    seen.set(value, where);
  };
  const allEnvironments = new Set<string>();
  doc.portfolios.forEach((p, pi) => {
    for (const a of p.applications) for (const e of a.environments) allEnvironments.add(e.id);
    unique(p.id, `/portfolios/${pi}`);
    const filters = new Set(p.featureFilters.map((f) => f.id));
    p.featureFilters.forEach((f, i) => {
      unique(f.id, `/portfolios/${pi}/featureFilters/${i}`);
    });
    const needFilter = (fid: string, where: string) => {
      if (!filters.has(fid))
        throw new TransferFileError(
          `${source}#${where}`,
          `feature filter ${fid} is not in this portfolio's featureFilters`,
        );
    };
    p.applications.forEach((a, ai) => {
      const at = `/portfolios/${pi}/applications/${ai}`;
      unique(a.id, at);
      const strategies = new Set(a.strategies.map((s) => s.id));
      a.strategies.forEach((s, i) => {
        unique(s.id, `${at}/strategies/${i}`);
      });
      const keys = new Set<string>();
      a.features.forEach((f, i) => {
        unique(f.id, `${at}/features/${i}`);
        if (keys.has(f.key))
          throw new TransferFileError(`${source}#${at}/features/${i}`, `feature key ${f.key} appears twice`);
        keys.add(f.key);
        f.featureFilters.forEach((fid, j) => {
          needFilter(fid, `${at}/features/${i}/featureFilters/${j}`);
        });
      });
      const envIds = new Set(a.environments.map((e) => e.id));
      a.environments.forEach((e, ei) => {
        const eat = `${at}/environments/${ei}`;
        unique(e.id, eat);
        if (e.priorEnvironment !== null && !envIds.has(e.priorEnvironment)) {
          throw new TransferFileError(
            `${source}#${eat}/priorEnvironment`,
            `environment ${e.priorEnvironment} is not in this application`,
          );
        }
        const valued = new Set<string>();
        e.values.forEach((v, vi) => {
          const vat = `${eat}/values/${vi}`;
          unique(v.id, vat);
          if (!keys.has(v.feature))
            throw new TransferFileError(
              `${source}#${vat}/feature`,
              `no feature with key ${v.feature} in this application`,
            );
          if (valued.has(v.feature))
            throw new TransferFileError(`${source}#${vat}`, `a second value for ${v.feature}`);
          valued.add(v.feature);
          v.applicationStrategies.forEach((s, si) => {
            if (!strategies.has(s.strategy))
              throw new TransferFileError(
                `${source}#${vat}/applicationStrategies/${si}`,
                `application strategy ${s.strategy} is not in this application`,
              );
          });
        });
        e.featureGroups.forEach((g, gi) => {
          unique(g.id, `${eat}/featureGroups/${gi}`);
          g.features.forEach((m, mi) => {
            if (!keys.has(m.feature))
              throw new TransferFileError(
                `${source}#${eat}/featureGroups/${gi}/features/${mi}`,
                `no feature with key ${m.feature} in this application`,
              );
          });
        });
      });
    });
  });
  checkPeopleAndGroups(doc, source, unique);
  doc.portfolios.forEach((p, pi) => {
    const filters = new Set(p.featureFilters.map((f) => f.id));
    p.serviceAccounts.forEach((s, si) => {
      const at = `/portfolios/${pi}/serviceAccounts/${si}`;
      unique(s.id, at);
      s.featureFilters.forEach((fid, j) => {
        if (!filters.has(fid))
          throw new TransferFileError(
            `${source}#${at}/featureFilters/${j}`,
            `feature filter ${fid} is not in this portfolio's featureFilters`,
          );
      });
      s.environments.forEach((g, gi) => {
        if (!allEnvironments.has(g.environment))
          throw new TransferFileError(
            `${source}#${at}/environments/${gi}`,
            `environment ${g.environment} is not in this file`,
          );
      });
    });
  });
}

/** People unique by id and email; a group's members are people of the file, its permissions name its portfolio's. */
function checkPeopleAndGroups(
  doc: TransferDocument,
  source: string,
  unique: (value: string, where: string) => void,
): void {
  const people = new Set<string>();
  const emails = new Map<string, number>();
  (doc.people ?? []).forEach((p, i) => {
    const at = `/people/${i}`;
    unique(p.id, at);
    people.add(p.id);
    if (p.email === null) {
      if (p.type === 'person')
        throw new TransferFileError(`${source}#${at}/email`, 'a person needs an email address');
      return;
    }
    const email = p.email.trim().toLowerCase();
    if (email === '')
      throw new TransferFileError(`${source}#${at}/email`, 'an email address cannot be empty');
    const before = emails.get(email);
    if (before !== undefined)
      throw new TransferFileError(`${source}#${at}/email`, `email ${email} also used at /people/${before}`);
    emails.set(email, i);
  });
  const check = (
    g: TransferGroup,
    at: string,
    applications: Set<string> | null,
    environments: Set<string> | null,
    scope: string,
  ) => {
    unique(g.id, at);
    const members = new Set<string>();
    g.members.forEach((m, i) => {
      if (!people.has(m))
        throw new TransferFileError(
          `${source}#${at}/members/${i}`,
          `person ${m} is not in this file's people`,
        );
      if (members.has(m))
        throw new TransferFileError(`${source}#${at}/members/${i}`, `person ${m} is listed twice`);
      members.add(m);
    });
    const seenApps = new Set<string>();
    g.applications.forEach((a, i) => {
      if (applications !== null && !applications.has(a.application))
        throw new TransferFileError(
          `${source}#${at}/applications/${i}`,
          `application ${a.application} is not in ${scope}`,
        );
      if (seenApps.has(a.application))
        throw new TransferFileError(
          `${source}#${at}/applications/${i}`,
          `application ${a.application} is listed twice`,
        );
      seenApps.add(a.application);
    });
    const seenEnvs = new Set<string>();
    g.environments.forEach((e, i) => {
      if (environments !== null && !environments.has(e.environment))
        throw new TransferFileError(
          `${source}#${at}/environments/${i}`,
          `environment ${e.environment} is not in ${scope}`,
        );
      if (seenEnvs.has(e.environment))
        throw new TransferFileError(
          `${source}#${at}/environments/${i}`,
          `environment ${e.environment} is listed twice`,
        );
      seenEnvs.add(e.environment);
    });
  };
  const allApps = new Set<string>();
  const allEnvs = new Set<string>();
  for (const p of doc.portfolios)
    for (const a of p.applications) {
      allApps.add(a.id);
      for (const e of a.environments) allEnvs.add(e.id);
    }
  const organisationGroups = doc.organisation.groups ?? [];
  if (organisationGroups.filter((g) => g.admin).length > 1)
    throw new TransferFileError(
      `${source}#/organisation/groups`,
      'more than one superusers group (admin: true)',
    );
  organisationGroups.forEach((g, gi) => {
    check(g, `/organisation/groups/${gi}`, allApps, allEnvs, 'this file');
  });
  doc.portfolios.forEach((p, pi) => {
    const apps = new Set(p.applications.map((a) => a.id));
    const envs = new Set(p.applications.flatMap((a) => a.environments.map((e) => e.id)));
    const groups = p.groups ?? [];
    if (groups.filter((g) => g.admin).length > 1)
      throw new TransferFileError(
        `${source}#/portfolios/${pi}/groups`,
        'more than one admin group (admin: true)',
      );
    groups.forEach((g, gi) => {
      check(g, `/portfolios/${pi}/groups/${gi}`, apps, envs, 'this portfolio');
    });
  });
}

/** The file text: YAML (the default, for Git) or JSON, always ending with a newline. */
export function formatTransferDocument(doc: TransferDocument, format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  // No anchors/aliases (each object written in full), long strings not folded: diffs stay line-local.
  return stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0, indent: 2 });
}
