// What server-evaluated polls (feature-state.ts) and OFREP answers (ofrep/ofrep-evaluation.ts) share:
// the prepared scope kept with a frozen context, and the copying of per-flag JSON bytes into one body.
import {
  type EvaluationContext,
  type EvaluationOptions,
  type PreparedContext,
  prepareContext,
} from '@fh/evaluation';

// A frozen context is one the request layer keeps and hands to every request sending the same
// header or body; its prepared scope (attribute lookups, parsed supplied values) is kept with it.
// The scope memoises only what the context holds: the clock is read on every evaluation.
const scopes = new WeakMap<EvaluationContext, PreparedContext>();

export function sharedScope(
  context: EvaluationContext,
  options: EvaluationOptions | undefined,
): PreparedContext {
  if (!Object.isFrozen(context)) return prepareContext(context, options);
  let scope = scopes.get(context);
  if (scope === undefined || scope.options !== options) {
    scope = prepareContext(context, options);
    scopes.set(context, scope);
  }
  return scope;
}

/** One entry's JSON, with its UTF-8 bytes kept once a body needed them. */
export interface JsonPiece {
  readonly json: string;
  bytes: Buffer | undefined;
}

const COMMA = 0x2c;

/**
 * `Buffer.from(prefix + '[' + pieces' JSON joined by commas + ']' + suffix)` for `count` pieces, copied
 * together from the bytes kept per piece: no string is built, flattened or encoded per request.
 */
export function jsonArrayBody(
  prefix: string,
  count: number,
  pieceAt: (i: number) => JsonPiece,
  suffix: string,
): Buffer {
  const parts: Buffer[] = new Array(count);
  let size = 0;
  for (let i = 0; i < count; i++) {
    const piece = pieceAt(i);
    piece.bytes ??= Buffer.from(piece.json);
    parts[i] = piece.bytes;
    size += piece.bytes.length;
  }
  const head = Buffer.from(`${prefix}[`);
  const tail = Buffer.from(`]${suffix}`);
  const body = Buffer.allocUnsafe(head.length + size + Math.max(0, count - 1) + tail.length);
  body.set(head, 0);
  let at = head.length;
  for (let i = 0; i < count; i++) {
    if (i > 0) body[at++] = COMMA;
    const bytes = parts[i]!;
    body.set(bytes, at);
    at += bytes.length;
  }
  body.set(tail, at);
  return body;
}
