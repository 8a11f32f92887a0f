import { mrSchemas } from '@fh/contracts/admin-api';
import type { TSchema } from 'typebox';

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  default?: unknown;
};

const components = mrSchemas as unknown as Record<string, Schema>;

/**
 * Fills the schema defaults into an answer, in place: `Group.applicationRoles: []`, `FeatureValue.retired: false`,
 * `RolloutStrategyAttribute.values: []` … Upstream's generated models start out with these values, so its answers
 * always carry them, and upstream's clients push into those arrays without checking. A field the answer already has,
 * `null` included, is left as it is.
 */
export function fillResponseDefaults(schema: TSchema, body: unknown): void {
  fill(schema as Schema, body, 0);
}

function fill(schema: Schema | undefined, value: unknown, depth: number): void {
  if (!schema || value === null || typeof value !== 'object' || depth > 32) return;
  if (schema.$ref !== undefined) {
    fill(components[schema.$ref], value, depth + 1);
    return;
  }
  for (const part of schema.allOf ?? []) fill(part, value, depth + 1);
  // A nullable or alternative shape: fill the alternative that fits the value's kind.
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const fitting = alternatives.find((a) => fits(a, value));
    fill(fitting, value, depth + 1);
  }
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) fill(schema.items, item, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  if (Object.isFrozen(record)) return;
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (record[name] === undefined && property.default !== undefined) {
      record[name] = structuredClone(property.default);
    }
    fill(property, record[name], depth + 1);
  }
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object') {
    for (const [name, item] of Object.entries(record)) {
      if (!schema.properties || !(name in schema.properties)) fill(extra, item, depth + 1);
    }
  }
}

function fits(schema: Schema, value: unknown): boolean {
  const target = schema.$ref !== undefined ? components[schema.$ref] : schema;
  if (!target) return false;
  const types = target.type === undefined ? [] : Array.isArray(target.type) ? target.type : [target.type];
  if (Array.isArray(value)) return types.includes('array');
  if (types.length > 0) return types.includes('object');
  return target.properties !== undefined || target.allOf !== undefined;
}
