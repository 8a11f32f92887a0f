import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FeatureValueType } from '@fh/contracts';
import {
  compileFeature,
  type EvaluableFeature,
  type EvaluableStrategy,
  type EvaluationContext,
  type EvaluationOptions,
  evaluateCompiled,
  evaluateFeature,
  evaluatePrepared,
  prepareContext,
} from './index.ts';

// compileFeature + evaluateCompiled must give exactly what evaluateFeature gives. Checked two ways:
// seeded random features × contexts mixing good data with every kind of bad data, and the
// interpreter's own test files replayed with the compiled form behind their imports.

function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    // mulberry32
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

const CONDITIONALS = [
  'EQUALS',
  'NOT_EQUALS',
  'STARTS_WITH',
  'ENDS_WITH',
  'GREATER',
  'GREATER_EQUALS',
  'LESS',
  'LESS_EQUALS',
  'INCLUDES',
  'EXCLUDES',
  'REGEX',
] as const;

// Per field type: the field it is usually on, rule values, and supplied values that overlap them.
const POOLS: Record<string, { fields: string[]; values: unknown[]; supplied: string[] }> = {
  STRING: {
    fields: ['country', 'userkey', 'platform'],
    values: [
      'nz',
      'au',
      'user1',
      'user2',
      '',
      'a',
      'n',
      '(.*)z(.*)',
      '^user1[0-9]$',
      'user.*',
      '([',
      5,
      true,
    ],
    supplied: ['nz', 'au', 'user1', 'user12', 'user2', 'a', '', 'zz', 'NZ', '5', 'true'],
  },
  NUMBER: {
    fields: ['tier', 'age'],
    values: [5, 5.5, 10, 0, -3, 2, 1e21, '5', '\\d+', 1, 'x'],
    supplied: ['5', '5.0', '5.5', '1e3', 'abc', '10', '-3', '0', '2', '15', '1e21', ' 5', '.5', '-0'],
  },
  SEMANTIC_VERSION: {
    fields: ['version'],
    values: ['2.0.3', '2.0', '1.0.0-beta', '2.0.1', '10.1.0', '2.1.0', '1.2.3-rc1', '', ' ', 3],
    supplied: ['2.0.3', '2.0.0', '1.0.0', '2.0.1', '9.9.9', '2.1', '1.0.0-BETA', 'x', '', '10.1'],
  },
  DATE: {
    fields: ['d', 'now'],
    values: ['2019-01-01', '2019-02-01', '2019-.*', '2019-02-30', '01', '2030-01-01', '2020-02-29'],
    supplied: ['2019-02-01', '2019-02-07', '2017-01-01', '2019-02-01T10:00:00Z', '2020-02-29', 'x'],
  },
  DATETIME: {
    fields: ['dt', 'now'],
    values: [
      '2019-02-01T01:01:01Z',
      '2019-02-01T01:01:01.000Z',
      '2019-02-01T01:01:01-01:00',
      '2019-.*',
      '2030-01-01T00:00:00Z',
      'bad',
    ],
    supplied: [
      '2019-02-01T01:01:01Z',
      '2019-02-01T02:01:01Z',
      '2019-02-01T01:01:01-01:00',
      '2019-02-01T01:01:01.500Z',
      '2019-02-01',
    ],
  },
  BOOLEAN: {
    fields: ['b', 'beta'],
    values: [true, false, 'true', 'false', null],
    supplied: ['true', 'false', 'TRUE', ''],
  },
  IP_ADDRESS: {
    fields: ['ip'],
    values: [
      '10.0.0.0/8',
      '192.168.086.075',
      '192.168.86.75',
      '10.7.4.8',
      '::1',
      '::ffff:10.0.0.0/104',
      'x/33',
    ],
    supplied: ['10.1.2.3', '192.168.86.75', 'not-an-ip', '::1', '::ffff:10.1.1.1', '10.0.0.0/8'],
  },
};
const TYPES = Object.keys(POOLS);

function randomValues(rng: Rng, pool: unknown[]): unknown {
  if (rng.chance(0.05)) return rng.pick([null, undefined, 'nz', 5, {}]);
  const n = rng.pick([0, 1, 1, 1, 2, 2, 3]);
  return Array.from({ length: n }, () =>
    rng.chance(0.03) ? rng.pick([null, { a: 1 }, []]) : rng.pick(pool),
  );
}

function randomAttribute(rng: Rng): unknown {
  if (rng.chance(0.02)) return rng.pick([null, 5, 'x', {}, { fieldName: 7 }]);
  const type = rng.chance(0.02) ? rng.pick(['UNKNOWN', undefined]) : rng.pick(TYPES);
  const pool = POOLS[type ?? 'STRING'] ?? POOLS['STRING']!;
  const conditional = rng.chance(0.02) ? rng.pick(['SOMETIMES', undefined]) : rng.pick(CONDITIONALS);
  return {
    fieldName: rng.chance(0.05) ? rng.pick(['missing', 'session']) : rng.pick(pool.fields),
    type,
    conditional,
    values: randomValues(rng, pool.values),
  };
}

function randomStrategy(rng: Rng, type: FeatureValueType, i: number): unknown {
  if (rng.chance(0.02)) return rng.pick([null, 'x', 3]);
  const s: Record<string, unknown> = {};
  if (!rng.chance(0.05)) s['id'] = rng.chance(0.03) ? 42 : `s${i}`;
  s['value'] = randomValue(rng, type);
  if (rng.chance(0.5)) {
    s['percentage'] = rng.chance(0.1)
      ? rng.pick([0, null, -5, Number.POSITIVE_INFINITY, Number.NaN, '500000', 1_000_000])
      : rng.chance(0.6)
        ? rng.pick([100_000, 200_000, 300_000, 500_000])
        : Math.floor(rng.next() * 1_000_000);
  }
  if (rng.chance(0.25)) {
    s['percentageAttributes'] = rng.chance(0.1)
      ? rng.pick(['company', [], [5], ['company', 7], null])
      : Array.from({ length: rng.pick([1, 1, 2]) }, () =>
          rng.pick(['company', 'store', 'userkey', 'country']),
        );
  }
  if (rng.chance(0.75)) {
    s['attributes'] = rng.chance(0.03)
      ? rng.pick(['x', { length: 1 }, null])
      : Array.from({ length: rng.pick([0, 1, 1, 2, 3]) }, () => randomAttribute(rng));
  }
  return s;
}

function randomValue(rng: Rng, type: FeatureValueType): unknown {
  switch (rng.pick([0, 1, 2, 3, 4])) {
    case 0:
      return null;
    case 1:
      return type === 'BOOLEAN' ? rng.pick([true, false, 'true']) : rng.pick(['red', 'blue', '']);
    case 2:
      return rng.pick([7, 2.5, '12', '1e3', 'abc', Number.NaN]);
    case 3:
      return rng.pick([{ a: 1 }, [1, 2], '{"b":2}']);
    default:
      return rng.pick([true, 'false', undefined]);
  }
}

/** Percentage splits on several keys, so cumulative bases per key are exercised. */
function randomSplit(rng: Rng, type: FeatureValueType): EvaluableStrategy[] {
  return Array.from({ length: rng.pick([2, 3, 4, 5]) }, (_, i) => ({
    id: `split${i}`,
    value: randomValue(rng, type),
    percentage: rng.pick([100_000, 200_000, 300_000]),
    ...(rng.chance(0.6) ? { percentageAttributes: [rng.pick(['company', 'store', 'userkey'])] } : {}),
    ...(rng.chance(0.2) ? { attributes: [randomAttribute(rng) as never] } : {}),
  }));
}

function randomFeature(rng: Rng, n: number): EvaluableFeature {
  const type = rng.pick<FeatureValueType>(['BOOLEAN', 'STRING', 'NUMBER', 'JSON']);
  if (rng.chance(0.2))
    return {
      id: `feature-${n % 7}`,
      type,
      value: randomValue(rng, type),
      strategies: randomSplit(rng, type),
    };
  const count = rng.pick([0, 1, 2, 2, 3, 4, 6]);
  const strategies = rng.chance(0.02)
    ? (rng.pick([null, undefined, 'x']) as unknown as EvaluableStrategy[])
    : (Array.from({ length: count }, (_, i) => randomStrategy(rng, type, i)) as EvaluableStrategy[]);
  return {
    id: rng.chance(0.02) ? (17 as unknown as string) : `feature-${n % 7}`,
    type,
    value: randomValue(rng, type),
    strategies,
  };
}

function randomContext(rng: Rng): EvaluationContext | undefined {
  if (rng.chance(0.03)) return undefined;
  const context: Record<string, unknown> = {};
  const names = [
    'userkey',
    'session',
    'sessionkey',
    'country',
    'platform',
    'tier',
    'age',
    'version',
    'd',
    'dt',
    'now',
    'b',
    'beta',
    'ip',
    'company',
    'store',
  ];
  for (const name of names) {
    if (!rng.chance(0.45)) continue;
    const type = TYPES.find((t) => POOLS[t]!.fields.includes(name));
    const pool =
      name === 'userkey' ||
      name === 'session' ||
      name === 'sessionkey' ||
      name === 'company' ||
      name === 'store'
        ? ['user1', 'user12', 'user2', 'acme', 'sess-abc', 'store9', '']
        : POOLS[type ?? 'STRING']!.supplied;
    if (rng.chance(0.03)) context[name] = rng.pick([[], 'single', [5, true], [null]]);
    else context[name] = Array.from({ length: rng.chance(0.15) ? 2 : 1 }, () => rng.pick(pool));
  }
  return context as EvaluationContext;
}

const FIXED_NOW = new Date('2019-02-01T01:01:01Z');

function randomOptions(rng: Rng): EvaluationOptions | undefined {
  switch (rng.pick([0, 1, 2, 3])) {
    case 0:
      return undefined;
    case 1:
      return { now: () => FIXED_NOW };
    case 2: {
      // Buckets near the percentages, so boundaries (<=, the cumulative base) are hit often.
      const bucket = rng.pick([0, 200_000, 300_000, 400_000, 500_000, 500_001, 999_999]);
      return { now: () => FIXED_NOW, percentageBucket: () => bucket };
    }
    default:
      return { now: () => new Date('2030-06-01T00:00:00Z') };
  }
}

describe('compileFeature + evaluateCompiled', () => {
  it('gives exactly what evaluateFeature gives for 20,000 random features × contexts (seeded)', () => {
    const rng = prng(20250611);
    let matched = 0;
    let attributeMatched = 0;
    const cases = 20_000;
    for (let n = 0; n < cases; n++) {
      const feature = randomFeature(rng, n);
      const compiled = compileFeature(feature);
      for (let c = 0; c < 3; c++) {
        const context = randomContext(rng);
        const options = rng.chance(0.5) ? { now: () => FIXED_NOW } : randomOptions(rng);
        const expected = evaluateFeature(feature, context, options);
        const actual = evaluateCompiled(compiled, context, options);
        assert.deepStrictEqual(actual, expected, `case ${n}/${c}: ${JSON.stringify({ feature, context })}`);
        if (expected.matched) {
          matched++;
          const s = (feature.strategies ?? []).find((x) => x?.id === expected.strategyId);
          if (Array.isArray(s?.attributes) && s.attributes.length > 0) attributeMatched++;
        }
      }
    }
    // Not vacuous: many evaluations matched a strategy, many through attribute rules.
    assert.ok(matched > cases * 0.3, `only ${matched} matches`);
    assert.ok(attributeMatched > cases * 0.1, `only ${attributeMatched} attribute matches`);
  });

  it('gives the same with one prepared context shared by many features', () => {
    const rng = prng(7);
    for (let round = 0; round < 500; round++) {
      const features = Array.from({ length: 20 }, (_, n) => randomFeature(rng, n));
      const context = randomContext(rng);
      const options = randomOptions(rng);
      const scope = prepareContext(context, options);
      for (const f of features) {
        assert.deepStrictEqual(
          evaluatePrepared(compileFeature(f), scope),
          evaluateFeature(f, context, options),
        );
      }
    }
  });

  it('returns one of the shared, frozen outcomes', () => {
    const compiled = compileFeature({
      id: 'f',
      type: 'STRING',
      value: 'red',
      strategies: [
        {
          id: 'nz',
          value: 'blue',
          attributes: [{ fieldName: 'country', conditional: 'EQUALS', type: 'STRING', values: ['nz'] }],
        },
      ],
    });
    const nz = evaluateCompiled(compiled, { country: ['nz'] });
    const au = evaluateCompiled(compiled, { country: ['au'] });
    assert.deepEqual(nz, { value: 'blue', matched: true, strategyId: 'nz' });
    assert.deepEqual(au, { value: 'red', matched: false });
    assert.ok(compiled.outcomes.includes(nz) && compiled.outcomes.includes(au));
    assert.ok(Object.isFrozen(nz));
    assert.equal(compiled.readsClock, false);
  });

  it('says when a rule reads the clock', () => {
    const compiled = compileFeature({
      id: 'f',
      type: 'BOOLEAN',
      value: false,
      strategies: [
        {
          id: 'later',
          value: true,
          attributes: [{ fieldName: 'now', conditional: 'GREATER', type: 'DATE', values: ['2020-01-01'] }],
        },
      ],
    });
    assert.equal(compiled.readsClock, true);
    assert.equal(evaluateCompiled(compiled, {}, { now: () => new Date('2021-01-01T00:00:00Z') }).value, true);
    assert.equal(
      evaluateCompiled(compiled, {}, { now: () => new Date('2019-01-01T00:00:00Z') }).value,
      false,
    );
  });

  it('never throws, even on a feature it cannot read', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    ) as EvaluableFeature;
    const compiled = compileFeature(hostile);
    assert.deepStrictEqual(
      evaluateCompiled(compiled, { userkey: ['u'] }),
      evaluateFeature(hostile, { userkey: ['u'] }),
    );
    assert.deepStrictEqual(evaluateCompiled(undefined as unknown as ReturnType<typeof compileFeature>, {}), {
      value: undefined,
      matched: false,
    });
  });
});

describe('the interpreter test vectors through the compiled form', () => {
  it('passes evaluate.test.ts, matchers.test.ts and matchers-grid.test.ts with the compiled form behind their imports', () => {
    const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        here('./test-support/replay-hooks.mjs'),
        '--test',
        '--test-reporter=tap',
        here('./evaluate.test.ts'),
        here('./matchers.test.ts'),
        here('./matchers-grid.test.ts'),
      ],
      // Without NODE_TEST_CONTEXT, which would make the child report to this runner, not to stdout.
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    const count = (label: string) => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(output)?.[1] ?? -1);
    assert.equal(run.status, 0, output.slice(-4000));
    assert.equal(count('fail'), 0);
    assert.ok(count('pass') > 300, `only ${count('pass')} vectors ran`);
    // Every file really imported the compiled form.
    assert.equal(output.match(/\[compiled-as-interpreter\]/g)?.length, 3, output.slice(0, 2000));
  });
});
