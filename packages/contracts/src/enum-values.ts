import { type TSchema, Type } from 'typebox';

/**
 * Turns a list of enum members into a frozen `{ MEMBER: 'MEMBER' }` object, so callers can write
 * `RoleType.READ` while the wire value stays the plain string that the OpenAPI enum defines.
 */
export function enumObject<const T extends readonly string[]>(values: T): { readonly [K in T[number]]: K } {
  const out: Record<string, string> = {};
  for (const v of values) out[v] = v;
  return Object.freeze(out) as { readonly [K in T[number]]: K };
}

/** A property that may be absent or `null` (OpenAPI `nullable: true`; Jackson leaves nulls out). */
export function OptionalNullable<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Union([schema, Type.Null()]));
}
