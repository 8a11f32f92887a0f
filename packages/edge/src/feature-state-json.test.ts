import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  CacheEnvironmentFeature,
  CacheRolloutStrategy,
  FeatureState,
  FeatureValueType,
} from '@fh/contracts';
import { cacheFeature } from '@fh/dacha/testing';
import { type EvaluationContext, type EvaluationOptions, evaluateFeature } from '@fh/evaluation';
import {
  dependsOnClock,
  evaluatedFeaturesBody,
  featureStateJson,
  isFeatureVisible,
  type StateVariant,
  serialiseFeatures,
} from './feature-state.ts';

// Server-evaluated answers are built from compiled features and pre-serialised pieces. They must be
// the very bytes the straightforward path gave: evaluateFeature per feature, FeatureState objects,
// JSON.stringify of the list. That path is kept here as the reference.

function referenceState(
  feature: CacheEnvironmentFeature,
  variant: StateVariant,
  context: EvaluationContext,
  options: EvaluationOptions | undefined,
): FeatureState {
  const stored = feature.value ?? undefined;
  const state: FeatureState = {
    id: feature.feature.id,
    key: feature.feature.key,
    l: stored?.locked === true,
    version: stored?.version ?? 0,
    type: feature.feature.valueType,
  };
  const result = evaluateFeature(
    {
      id: feature.feature.id,
      type: feature.feature.valueType,
      value: stored?.value,
      strategies: stored?.rolloutStrategies ?? [],
    },
    context,
    options,
  );
  if (result.value !== undefined) state.value = result.value;
  if (result.strategyId !== undefined) state.v = result.strategyId;
  if (variant.extendedData && feature.fp != null && Object.keys(feature.fp).length > 0)
    state.fp = { ...feature.fp };
  return state;
}

function referenceJson(
  features: readonly CacheEnvironmentFeature[],
  variant: StateVariant,
  context: EvaluationContext,
  options?: EvaluationOptions,
): string {
  return JSON.stringify(
    features
      .filter((f) => isFeatureVisible(f, variant.filters))
      .map((f) => referenceState(f, variant, context, options)),
  );
}

function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number) => next() < p;
  return { next, pick, chance };
}
type Rng = ReturnType<typeof prng>;

const TEXTS = ['red', '', 'ünïcødé "quoted" \\ back', 'line\nbreak', '</script>', '\u2028', '😀'];

function value(rng: Rng, type: FeatureValueType): unknown {
  switch (type) {
    case 'BOOLEAN':
      return rng.pick([true, false, 'true', null]);
    case 'NUMBER':
      return rng.pick([0, -0, 7.5, 1e21, '12', '1e999', 'abc', null]);
    case 'JSON':
      return rng.pick(['{"a":[1,"x"]}', { nested: { q: '"' } }, '', null]);
    default:
      return rng.pick([...TEXTS, 5, null]);
  }
}

function strategy(rng: Rng, type: FeatureValueType, i: number): CacheRolloutStrategy {
  const s: Record<string, unknown> = {
    id: rng.chance(0.1) ? `s"${i}\u00e9` : `s${i}`,
    value: value(rng, type),
  };
  if (rng.chance(0.5)) s['percentage'] = rng.pick([100_000, 250_000, 500_000, 1_000_000]);
  if (rng.chance(0.2)) s['percentageAttributes'] = [rng.pick(['company', 'userkey'])];
  if (rng.chance(0.7) || s['percentage'] === undefined) {
    s['attributes'] = [
      rng.pick([
        { conditional: 'EQUALS', fieldName: 'country', type: 'STRING', values: ['nz', 'au'] },
        { conditional: 'GREATER_EQUALS', fieldName: 'version', type: 'SEMANTIC_VERSION', values: ['2.1.0'] },
        { conditional: 'REGEX', fieldName: 'userkey', type: 'STRING', values: ['user1[0-9]'] },
        { conditional: 'LESS', fieldName: 'tier', type: 'NUMBER', values: [2] },
        { conditional: 'INCLUDES', fieldName: 'ip', type: 'IP_ADDRESS', values: ['10.0.0.0/8'] },
        { conditional: 'GREATER', fieldName: 'now', type: 'DATE', values: ['2020-01-01'] },
        { conditional: 'EQUALS', fieldName: 'missing', type: 'STRING', values: null },
      ]),
    ];
  }
  return s as unknown as CacheRolloutStrategy;
}

function feature(rng: Rng, n: number, generation = 0): CacheEnvironmentFeature {
  const type = rng.pick<FeatureValueType>(['BOOLEAN', 'STRING', 'NUMBER', 'JSON']);
  const noValue = rng.chance(0.1);
  return cacheFeature({
    id: `feature-${n}`,
    key: rng.chance(0.1) ? `KEY_"${n}"_é` : `KEY_${n}`,
    type,
    ...(noValue
      ? {}
      : {
          value: value(rng, type) as never,
          hasValue: true,
          locked: rng.chance(0.3),
          valueVersion: 1 + generation + (n % 5),
          strategies: Array.from({ length: rng.pick([0, 1, 2, 3]) }, (_, i) => strategy(rng, type, i)),
        }),
    ...(rng.chance(0.3) ? { filters: [rng.pick(['mobile', 'web'])] } : {}),
    ...(rng.chance(0.3)
      ? { fp: rng.pick<Record<string, string>>([{}, { owner: 'team "a"' }, { a: '1', b: 'ü' }]) }
      : {}),
  });
}

function context(rng: Rng): EvaluationContext {
  const c: Record<string, string[]> = {};
  if (rng.chance(0.8)) c['userkey'] = [rng.pick(['user1', 'user12', 'user2', 'ü'])];
  if (rng.chance(0.6)) c['country'] = [rng.pick(['nz', 'au', 'de'])];
  if (rng.chance(0.5)) c['version'] = [rng.pick(['2.1.0', '1.0', '3'])];
  if (rng.chance(0.4)) c['tier'] = [rng.pick(['1', '2', 'x'])];
  if (rng.chance(0.3)) c['ip'] = [rng.pick(['10.1.1.1', '192.168.0.1'])];
  if (rng.chance(0.2)) c['company'] = ['acme'];
  return c;
}

const memo = () => {
  const m = new Map<string, string>();
  return { get: (k: string) => m.get(k), set: (k: string, v: string) => void m.set(k, v) };
};

const VARIANTS: StateVariant[] = [
  { clientEvaluated: false, extendedData: false, filters: [] },
  { clientEvaluated: false, extendedData: true, filters: [] },
  { clientEvaluated: false, extendedData: false, filters: ['mobile'] },
  { clientEvaluated: false, extendedData: false, filters: ['web'] },
  { clientEvaluated: false, extendedData: true, filters: ['web', 'mobile'] },
];

describe('server-evaluated JSON from compiled features', () => {
  it('is byte for byte what evaluating and JSON.stringify gave, over random environments and contexts', () => {
    const rng = prng(4242);
    const options = { now: () => new Date('2021-06-01T00:00:00Z') };
    for (let round = 0; round < 150; round++) {
      let features = Array.from({ length: 25 }, (_, n) => feature(rng, n));
      for (let generation = 0; generation < 3; generation++) {
        // A new state: some features replaced, the others the same objects as before.
        if (generation > 0)
          features = features.map((f, n) => (rng.chance(0.3) ? feature(rng, n, generation) : f));
        const env = { features, payloads: memo() };
        for (let c = 0; c < 5; c++) {
          const ctx = c === 0 ? {} : context(rng);
          for (const variant of VARIANTS) {
            const json = serialiseFeatures(env, variant, ctx, options);
            assert.equal(json, referenceJson(features, variant, ctx, options));
            assert.deepEqual(JSON.parse(json), JSON.parse(referenceJson(features, variant, ctx, options)));
            const body = evaluatedFeaturesBody('[{"id":"e","features":', env, variant, ctx, options, '}]');
            assert.deepEqual(body, Buffer.from(`[{"id":"e","features":${json}}]`));
          }
        }
      }
    }
  });

  it('writes the bytes of an empty list when no feature is visible', () => {
    const env = {
      features: [cacheFeature({ id: 'a', key: 'A', type: 'BOOLEAN', value: true, filters: ['x'] })],
    };
    const body = evaluatedFeaturesBody('<', env, VARIANTS[2]!, { userkey: ['u'] }, undefined, '>');
    assert.equal(body.toString(), '<[]>');
  });

  it('gives each feature of an SSE change as JSON.stringify of its FeatureState', () => {
    const rng = prng(99);
    for (let n = 0; n < 2000; n++) {
      const f = feature(rng, n);
      const ctx = context(rng);
      for (const variant of VARIANTS) {
        const expected = JSON.stringify(referenceState(f, variant, ctx, undefined));
        assert.equal(featureStateJson(f, variant, ctx), expected);
        assert.equal(featureStateJson(f, variant, ctx), expected, 'again, from the kept pieces');
      }
    }
  });

  it('sees a rule on the clock in a new state and not in the old one', () => {
    const plain = cacheFeature({ id: 'p', key: 'P', type: 'BOOLEAN', value: true });
    const timed = cacheFeature({
      id: 't',
      key: 'T',
      type: 'BOOLEAN',
      value: false,
      strategies: [
        {
          id: 'after',
          value: true,
          attributes: [{ conditional: 'GREATER', fieldName: 'now', type: 'DATE', values: ['2020-01-01'] }],
        },
      ],
    });
    const before = [plain];
    const after = [plain, timed];
    assert.equal(dependsOnClock(before, {}), false);
    assert.equal(dependsOnClock(after, {}), true);
    assert.equal(dependsOnClock(after, { now: ['2019-01-01'] }), false);
    assert.equal(dependsOnClock(before, {}), false);
    const at = (iso: string) => ({ now: () => new Date(iso) });
    const env = { features: after, payloads: memo() };
    const server = VARIANTS[0]!;
    assert.match(
      serialiseFeatures(env, server, { userkey: ['u'] }, at('2021-01-01T00:00:00Z')),
      /"value":true,"v":"after"/,
    );
    assert.doesNotMatch(
      serialiseFeatures(env, server, { userkey: ['u'] }, at('2019-01-01T00:00:00Z')),
      /"v":/,
    );
  });
});
