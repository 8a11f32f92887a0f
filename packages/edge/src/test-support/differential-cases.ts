// Test-only: seeded random features (with strategies) and contexts for the differential test of
// SDK 1.4.0's client-side evaluation against Edge's server-side evaluation. Values are drawn from
// small shared domains so that attribute rules and percentages match often, not just miss.

import type {
  CacheEnvironmentFeature,
  CacheRolloutStrategy,
  CacheRolloutStrategyAttribute,
  FeatureValueType,
  FeatureWireValue,
  RolloutStrategyAttributeConditional,
  RolloutStrategyFieldType,
} from '@fh/contracts';
import { cacheFeature } from '@fh/dacha/testing';
import type { EvaluationContext } from '@fh/evaluation';

/** A small, fast, seedable PRNG (mulberry32) with the helpers the generators need. */
export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  /** 1..max distinct items (fewer if the list is shorter). */
  some<T>(items: readonly T[], max: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    const n = this.between(1, Math.min(max, pool.length));
    for (let i = 0; i < n; i++) out.push(...pool.splice(this.int(pool.length), 1));
    return out;
  }
}

/** The seed from `FH_DIFF_SEED` (for reproducing a failure), else a fresh one. */
export function differentialSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env['FH_DIFF_SEED'];
  if (given === 'random') return Math.floor(Math.random() * 0x100000000);
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new Error(`FH_DIFF_SEED must be an integer in 0..4294967295, got ${JSON.stringify(given)}`);
    return seed;
  }
  // A fixed seed keeps the suite deterministic; FH_DIFF_SEED=random explores new cases locally.
  return DEFAULT_DIFFERENTIAL_SEED;
}

/** The seed every run uses unless FH_DIFF_SEED says otherwise. */
export const DEFAULT_DIFFERENTIAL_SEED = 20261125;

type Conditional = RolloutStrategyAttributeConditional;
type FieldType = RolloutStrategyFieldType;

const pad = (n: number) => String(n).padStart(2, '0');
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One attribute the generators know: how a context supplies it and which rules can test it.
 * `sample` draws one supplied value; rule values are derived from samples so they hit often.
 */
interface Field {
  readonly name: string;
  readonly type: FieldType;
  /** Probability that a context carries the attribute. */
  readonly presence: number;
  /** Probability that a context carrying it gives several values (custom attributes only). */
  readonly multi?: number;
  sample(rng: Rng): string;
  /** A supplied value that is not in the canonical form both evaluators agree on (rarely used). */
  odd?(rng: Rng): string;
  readonly conditionals: readonly Conditional[];
}

const STRING_CONDITIONALS: readonly Conditional[] = [
  'EQUALS',
  'EQUALS',
  'NOT_EQUALS',
  'STARTS_WITH',
  'ENDS_WITH',
  'INCLUDES',
  'EXCLUDES',
  'GREATER',
  'GREATER_EQUALS',
  'LESS',
  'LESS_EQUALS',
  'REGEX',
];
const ORDERED: readonly Conditional[] = [
  'EQUALS',
  'EQUALS',
  'NOT_EQUALS',
  'GREATER',
  'GREATER_EQUALS',
  'LESS',
  'LESS_EQUALS',
];

const stringField = (
  name: string,
  domain: readonly string[],
  presence: number,
  multi = 0,
  odd?: (rng: Rng) => string,
): Field => ({
  name,
  type: 'STRING',
  presence,
  multi,
  sample: (rng) => rng.pick(domain),
  ...(odd === undefined ? {} : { odd }),
  conditionals: STRING_CONDITIONALS,
});

/** Every field type, the well-known attributes and custom ones (values with characters that need encoding). */
export const FIELDS: readonly Field[] = [
  stringField(
    'userkey',
    Array.from({ length: 30 }, (_, i) => `user${i}`),
    0.93,
  ),
  stringField('country', ['new_zealand', 'australia', 'germany', 'france', 'united_states_of_america'], 0.6),
  stringField('device', ['browser', 'mobile', 'desktop', 'server', 'watch'], 0.5),
  stringField('platform', ['linux', 'windows', 'macos', 'android', 'ios'], 0.5),
  {
    name: 'version',
    type: 'SEMANTIC_VERSION',
    presence: 0.5,
    sample: (rng) => `${rng.between(1, 3)}.${rng.int(3)}.${rng.int(3)}`,
    odd: (rng) => rng.pick(['2.0', '1.0.0-beta', 'v1']),
    // STARTS_WITH: never matches a version, in either evaluator
    conditionals: [...ORDERED, 'INCLUDES', 'EXCLUDES', 'STARTS_WITH'],
  },
  stringField('tier', ['gold', 'silver', 'bronze', 'gold plus', 'ünïcødé', 'a+b&c=d%'], 0.5, 0.25, () => ''),
  stringField('company', ['acme', 'globex', 'initech'], 0.4),
  stringField('store', ['store1', 'store2', 'store9'], 0.4),
  stringField('warehouseId', ['ios', 'Android', 'linux', 'wh1'], 0.3, 0.5),
  {
    name: 'age',
    type: 'NUMBER',
    presence: 0.5,
    sample: (rng) => (rng.chance(0.2) ? `${rng.between(18, 60)}.5` : String(rng.between(18, 60))),
    odd: (rng) => rng.pick(['abc', '1e3', ' 20']),
    conditionals: [...ORDERED, 'STARTS_WITH', 'ENDS_WITH', 'INCLUDES'],
  },
  {
    name: 'beta',
    type: 'BOOLEAN',
    presence: 0.5,
    sample: (rng) => rng.pick(['true', 'false']),
    conditionals: ['EQUALS', 'EQUALS', 'NOT_EQUALS', 'GREATER'],
  },
  {
    name: 'signup',
    type: 'DATE',
    presence: 0.5,
    sample: (rng) => `2019-01-${pad(rng.between(1, 9))}`,
    odd: () => '2019-1-5',
    conditionals: [...STRING_CONDITIONALS, ...ORDERED],
  },
  {
    name: 'lastSeen',
    type: 'DATETIME',
    presence: 0.5,
    sample: (rng) => `2019-02-01T${pad(rng.int(4))}:${pad(rng.int(2) * 30)}:00Z`,
    odd: () => '2019-02-01T01:00:00.000Z',
    conditionals: [...STRING_CONDITIONALS, ...ORDERED],
  },
  {
    name: 'ip',
    type: 'IP_ADDRESS',
    presence: 0.5,
    sample: (rng) => `${rng.pick(['10.0', '192.168'])}.${rng.int(3)}.${rng.int(4)}`,
    odd: () => '192.168.001.002',
    conditionals: ['EQUALS', 'EQUALS', 'INCLUDES', 'NOT_EQUALS', 'EXCLUDES'],
  },
  {
    // 1.4.0 and Edge both fall back to today's UTC date without it; rule values are in 2024, so
    // those answers cannot change while the test runs.
    name: 'now',
    type: 'DATE',
    presence: 0.9,
    sample: (rng) => `2024-06-${pad(rng.between(10, 14))}`,
    conditionals: ['EQUALS', 'GREATER', 'GREATER_EQUALS', 'LESS', 'LESS_EQUALS', 'STARTS_WITH'],
  },
];

function ruleValues(rng: Rng, f: Field, conditional: Conditional): unknown[] {
  const many = (n = 3) => Array.from({ length: rng.between(1, n) }, () => f.sample(rng));
  switch (f.type) {
    case 'NUMBER': {
      const ints = () => Array.from({ length: rng.between(1, 3) }, () => rng.between(18, 60));
      if (conditional === 'STARTS_WITH' || conditional === 'ENDS_WITH') return [rng.between(1, 6)];
      if (conditional === 'NOT_EQUALS') return [rng.between(18, 60)];
      // a decimal value (or a numeric string) is a ⚠ row that the filter must catch
      if (rng.chance(0.05)) return [rng.pick([30.5, '30'])];
      return ints();
    }
    case 'BOOLEAN':
      return [rng.chance(0.8) ? rng.chance(0.5) : rng.pick(['true', 'false'])];
    case 'IP_ADDRESS':
      return Array.from({ length: rng.between(1, 2) }, () =>
        rng.chance(0.5)
          ? f.sample(rng)
          : rng.pick(['10.0.0.0/8', '10.0.1.0/24', '192.168.0.0/16', '192.168.2.0/24', '172.16.0.0/12']),
      );
    case 'SEMANTIC_VERSION':
      if (conditional === 'NOT_EQUALS' || conditional === 'EXCLUDES') return [f.sample(rng)];
      if (conditional === 'STARTS_WITH') return [f.sample(rng).slice(0, 2)];
      return many(2);
    default:
      break;
  }
  // STRING, DATE, DATETIME: derive text rules from sampled values so they match often.
  const sample = f.sample(rng);
  const cut = rng.between(1, Math.max(1, sample.length - 1));
  switch (conditional) {
    case 'NOT_EQUALS':
      // several values is a ⚠ row (any vs none); keep it rare so the filter has something to do
      return rng.chance(0.1) ? many(3) : [sample];
    case 'STARTS_WITH':
      return [sample.slice(0, cut)];
    case 'ENDS_WITH':
      return [sample.slice(cut)];
    case 'INCLUDES':
    case 'EXCLUDES':
      return f.type === 'STRING' ? [sample.slice(rng.int(cut), cut + 1)] : many(3);
    case 'REGEX': {
      if (rng.chance(0.05)) return [escapeRegex(sample.slice(1, cut + 1))]; // unanchored: ⚠ row
      return [
        rng.chance(0.5)
          ? `^${escapeRegex(sample.slice(0, cut))}.*$`
          : `(.*)${escapeRegex(sample.slice(cut - 1, cut + 1))}(.*)`,
      ];
    }
    default:
      return many(3);
  }
}

function randomAttribute(rng: Rng, id: string): CacheRolloutStrategyAttribute {
  const f = rng.pick(FIELDS);
  const conditional = rng.pick(f.conditionals);
  // values null: "passes when the attribute is missing" for EQUALS (docs/edge-protocol.md §6.2); 1.4.0
  // never matches it on a supplied attribute, so those contexts are filtered out
  if (rng.chance(0.03)) return { id, fieldName: f.name, type: f.type, conditional: 'EQUALS', values: null };
  return { id, fieldName: f.name, type: f.type, conditional, values: ruleValues(rng, f, conditional) };
}

/** What kind of strategy this is; used to check that every kind really matched. */
export type StrategyKind = 'percentage' | 'percentage+attributes' | 'attributes';

/** A generated feature: what MR publishes, plus each strategy's kind by id. */
export interface GeneratedFeature {
  readonly cache: CacheEnvironmentFeature;
  readonly kinds: ReadonlyMap<string, StrategyKind>;
}

const PERCENTAGE_ATTRIBUTES: readonly (readonly string[])[] = [
  ['company'],
  ['company', 'store'],
  ['country'],
  ['tier'],
];

function randomValue(rng: Rng, type: FeatureValueType, tag: string): FeatureWireValue | undefined {
  switch (type) {
    case 'BOOLEAN':
      return rng.chance(0.5);
    case 'NUMBER':
      return rng.chance(0.7) ? rng.between(-5, 500) : rng.between(0, 9999) / 100;
    case 'STRING':
      return `${tag}-${rng.pick(['red', 'green', 'blue', 'ünï', 'a, b = c'])}`;
    default:
      return JSON.stringify({ tag, n: rng.int(100), list: [rng.int(5)] });
  }
}

function randomStrategy(rng: Rng, type: FeatureValueType, id: string): [CacheRolloutStrategy, StrategyKind] {
  const kind = rng.pick<StrategyKind>(['percentage', 'percentage+attributes', 'attributes', 'attributes']);
  const strategy: CacheRolloutStrategy = { id, attributes: [] };
  if (kind !== 'attributes') {
    strategy.percentage = rng.between(5, 70) * 10_000;
    if (rng.chance(0.35)) strategy.percentageAttributes = [...rng.pick(PERCENTAGE_ATTRIBUTES)];
  } else {
    // MR may publish an attribute-only strategy with percentage 0, null or absent; Edge must
    // write an integer for 1.4.0 (§6.3.2).
    const form = rng.int(3);
    if (form === 0) strategy.percentage = 0;
    else if (form === 1) strategy.percentage = null;
  }
  if (kind !== 'percentage') {
    const n = rng.chance(0.6) ? 1 : rng.between(2, 3);
    strategy.attributes = Array.from({ length: n }, (_, i) => randomAttribute(rng, `${id}-a${i}`));
  }
  const value = rng.chance(0.05) ? null : randomValue(rng, type, id);
  if (value !== undefined) strategy.value = value;
  return [strategy, kind];
}

const TYPES: readonly FeatureValueType[] = ['BOOLEAN', 'NUMBER', 'STRING', 'JSON'];

function hexId(rng: Rng): string {
  const hex = (n: number) => Array.from({ length: n }, () => rng.int(16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
}

/**
 * `count` features cycling through all four types, each with 1–4 random strategies. `accept` sees
 * each candidate strategy list (to drop lists SDK 1.4.0 is known to evaluate differently whatever
 * the context); a rejected list is drawn again, and the rejections are returned.
 */
export function generateFeatures(
  rng: Rng,
  count: number,
  accept: (feature: CacheEnvironmentFeature) => string[],
): { features: GeneratedFeature[]; rejected: string[][] } {
  const features: GeneratedFeature[] = [];
  const rejected: string[][] = [];
  for (let i = 0; i < count; i++) {
    const type = TYPES[i % TYPES.length] ?? 'STRING';
    const id = hexId(rng);
    const key = `F${pad(i)}_${type}`;
    const defaultValue = rng.chance(0.1) ? undefined : randomValue(rng, type, 'default');
    for (let attempt = 0; ; attempt++) {
      const kinds = new Map<string, StrategyKind>();
      const strategies = Array.from({ length: rng.between(1, 4) }, (_, s) => {
        const [strategy, kind] = randomStrategy(rng, type, `${key}-s${s}`);
        kinds.set(strategy.id, kind);
        return strategy;
      });
      const cache = cacheFeature({
        id,
        key,
        type,
        hasValue: true,
        ...(defaultValue === undefined ? {} : { value: defaultValue }),
        strategies,
      });
      const reasons = accept(cache);
      if (reasons.length === 0 || attempt >= 200) {
        if (reasons.length > 0) throw new Error(`no acceptable strategies for ${key} after 200 draws`);
        features.push({ cache, kinds });
        break;
      }
      rejected.push(reasons);
    }
  }
  return { features, rejected };
}

/**
 * Which default percentage keys (docs/edge-protocol.md §6.1) a generated context carries. `none` and
 * `empty` have no session, sessionkey or userkey: only strategies without a percentage (or with
 * `percentageAttributes`) can match them.
 */
export type ContextKeys = 'userkey' | 'session' | 'session+userkey' | 'none' | 'empty';

/** Shares of each {@link ContextKeys}: key-less contexts 22 %, session only 15 %. */
const KEY_SHARES: readonly (readonly [ContextKeys, number])[] = [
  ['empty', 0.04], // no attributes at all
  ['none', 0.18], // attributes, but no percentage key
  ['session', 0.15],
  ['session+userkey', 0.08],
  ['userkey', 0.55],
];

function drawKeys(rng: Rng): ContextKeys {
  let r = rng.next();
  for (const [keys, share] of KEY_SHARES) {
    if (r < share) return keys;
    r -= share;
  }
  return 'userkey';
}

/**
 * A random context: well-known attributes (userkey, session, country, device, platform, version)
 * and custom ones, some multi-valued; rarely a value neither evaluator can be expected to agree on
 * (empty, non-canonical) or `sessionkey`, which the filter must catch. Its percentage keys are
 * drawn first ({@link ContextKeys}), so key-less and session-only contexts are well represented.
 */
export function generateContext(rng: Rng): EvaluationContext {
  const keys = drawKeys(rng);
  const context: Record<string, string[]> = {};
  if (keys === 'empty') return context;
  const withUserkey = keys === 'userkey' || keys === 'session+userkey';
  for (const f of FIELDS) {
    if (f.name === 'userkey') {
      if (withUserkey) context[f.name] = [f.sample(rng)];
      continue;
    }
    if (!rng.chance(f.presence)) continue;
    if (f.odd !== undefined && rng.chance(0.03)) {
      context[f.name] = [f.odd(rng)];
      continue;
    }
    const values = rng.chance(f.multi ?? 0) ? rng.some([f.sample(rng), f.sample(rng), f.sample(rng)], 3) : [];
    context[f.name] = values.length > 0 ? [...new Set(values)] : [f.sample(rng)];
  }
  if (keys === 'session' || keys === 'session+userkey') context['session'] = [`sess-${rng.int(20)}`];
  if (keys === 'userkey' && rng.chance(0.02)) context['sessionkey'] = [`sk-${rng.int(20)}`];
  return context;
}
