import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type {
  RolloutStrategyAttributeConditional as Conditional,
  RolloutStrategyFieldType,
} from '@fh/contracts';
import {
  agreesWithSdk140,
  type EvaluableStrategy,
  type EvaluationContext,
  evaluateFeature,
} from './index.ts';

// Differential check of agreesWithSdk140 against the real SDK 1.4.0 evaluator (installed at the
// repo root as a dependency of featurehub-javascript-node-sdk; only this test uses it). Random but
// seeded strategies and contexts mix canonical data with every known trap.

interface SdkApplied {
  matched: boolean;
  value: unknown;
}
interface SdkApplyFeature {
  apply(strategies: unknown[], key: string, id: string, context: unknown): SdkApplied;
}

function loadSdk(): SdkApplyFeature | undefined {
  try {
    const require = createRequire(import.meta.url);
    const mod = require('featurehub-javascript-client-sdk/dist/strategy_matcher.js') as {
      ApplyFeature: new () => SdkApplyFeature;
    };
    return new mod.ApplyFeature();
  } catch {
    return undefined;
  }
}
const sdk = loadSdk();

const ALL: readonly Conditional[] = [
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
];
const pools: Record<
  RolloutStrategyFieldType,
  { field: string; values: unknown[][]; supplied: string[]; conds: readonly Conditional[] }
> = {
  STRING: {
    field: 'country',
    values: [['nz'], ['nz', 'au'], ['(.*)z(.*)'], ['z'], ['^n.$'], ['a', 'b'], []],
    supplied: ['nz', 'au', 'a', 'b', 'zz', ''],
    conds: ALL,
  },
  NUMBER: {
    field: 'age',
    values: [[5], [5.5], [10, 2], ['10'], [0], [-3]],
    supplied: ['5', '5.0', '5.5', '1e3', 'abc', '10', '-3'],
    conds: ALL,
  },
  SEMANTIC_VERSION: {
    field: 'version',
    values: [['2.0.3'], ['2.0'], ['1.0.0-beta'], ['2.0.3', '2.0.1'], ['10.1.0'], []],
    supplied: ['2.0.3', '2.0.0', '1.0.0', '2.0.1', '9.9.9'],
    conds: ALL,
  },
  DATE: {
    field: 'd',
    values: [['2019-01-01', '2019-02-01'], ['2019-.*'], ['^2019-0[12].*$'], ['2019-02-30'], ['01'], [1]],
    supplied: ['2019-02-01', '2019-02-07', '2017-01-01', '2019-02-01T10:00:00Z'],
    conds: ALL,
  },
  DATETIME: {
    field: 'dt',
    values: [
      ['2019-02-01T01:01:01Z'],
      ['2019-02-01T01:01:01.000Z'],
      ['2019-02-01T01:01:01-01:00'],
      ['2019-.*'],
      ['(.*)T01:(.*)'],
      ['01Z', '2019-02-01T02'],
    ],
    supplied: [
      '2019-02-01T01:01:01Z',
      '2019-02-01T02:01:01Z',
      '2019-02-01T01:01:01-01:00',
      '2019-02-01T01:01:01.500Z',
    ],
    conds: ALL,
  },
  BOOLEAN: {
    field: 'b',
    values: [[true], [false], ['true'], []],
    supplied: ['true', 'false', 'TRUE'],
    conds: ALL,
  },
  IP_ADDRESS: {
    field: 'ip',
    values: [['10.0.0.0/8'], ['192.168.086.075'], ['192.168.86.75', '10.7.4.8'], ['::1']],
    supplied: ['10.1.2.3', '192.168.86.75', 'not-an-ip', '::1'],
    conds: ALL,
  },
};

function prng(seed: number) {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

function randomCase(r: ReturnType<typeof prng>) {
  const strategies: EvaluableStrategy[] = [];
  const count = 1 + Math.floor(r.next() * 3);
  for (let i = 0; i < count; i++) {
    const s: { -readonly [K in keyof EvaluableStrategy]: EvaluableStrategy[K] } = {
      id: `s${i}`,
      value: `v${i}`,
    };
    const p = r.next();
    if (p < 0.25) s.percentage = r.pick([100000, 300000, 500000, 1000000]);
    else if (p < 0.35) s.percentage = 0;
    else if (p < 0.45) s.percentage = null;
    if (r.next() < 0.2) s.percentageAttributes = r.pick([['company'], ['company', 'store']]);
    const n = r.next() < 0.3 ? 0 : r.next() < 0.7 ? 1 : 2;
    if (r.next() >= 0.1) {
      s.attributes = Array.from({ length: n }, () => {
        const type = r.pick(Object.keys(pools) as RolloutStrategyFieldType[]);
        const pool = pools[type];
        const values = r.next() < 0.05 ? null : r.pick(pool.values);
        return { fieldName: pool.field, type, conditional: r.pick(pool.conds), values };
      });
    }
    strategies.push(s);
  }
  const context: Record<string, string[]> = {};
  if (r.next() < 0.6) context.userkey = [r.next() < 0.05 ? '' : `user${Math.floor(r.next() * 30)}`];
  if (r.next() < 0.2) context.session = [r.next() < 0.05 ? '' : `sess${Math.floor(r.next() * 5)}`];
  if (r.next() < 0.1) context.sessionkey = ['sk'];
  if (r.next() < 0.3) context.company = r.pick([['acme'], ['acme', 'beta']]);
  if (r.next() < 0.2) context.store = ['store9'];
  for (const pool of Object.values(pools)) {
    if (r.next() < 0.5) {
      context[pool.field] =
        r.next() < 0.85 ? [r.pick(pool.supplied)] : [r.pick(pool.supplied), r.pick(pool.supplied)];
    }
  }
  return { strategies, context: context as EvaluationContext };
}

/** The SDK's ClientContext surface that ApplyFeature uses. */
function sdkContext(context: EvaluationContext) {
  const m = new Map(Object.entries(context));
  return {
    getAttr: (k: string, d?: string) => (m.has(k) ? m.get(k)![0] : d),
    getAttrs: (k: string) => m.get(k) ?? [],
    defaultPercentageKey: () => (m.has('session') ? m.get('session')![0] : m.get('userkey')?.[0]),
  };
}

describe('agreesWithSdk140 against the real SDK 1.4.0 evaluator', {
  skip: sdk === undefined && 'SDK not installed',
}, () => {
  // Found by the Edge differential test (packages/edge/src/differential.int.test.ts).
  it('flags rules with no values on a supplied attribute, and NOT_EQUALS over an empty list', () => {
    const cases: { strategies: EvaluableStrategy[]; context: EvaluationContext }[] = [
      {
        strategies: [
          {
            id: 's',
            value: 'v',
            attributes: [{ fieldName: 'c', type: 'STRING', conditional: 'EXCLUDES', values: null }],
          },
        ],
        context: { c: ['x'] },
      },
      {
        strategies: [
          {
            id: 's',
            value: 'v',
            attributes: [{ fieldName: 'c', type: 'STRING', conditional: 'NOT_EQUALS', values: [] }],
          },
        ],
        context: { c: ['x'] },
      },
      {
        strategies: [
          {
            id: 's',
            value: 'v',
            attributes: [{ fieldName: 'v', type: 'SEMANTIC_VERSION', conditional: 'NOT_EQUALS', values: [] }],
          },
        ],
        context: { v: ['1.0.0'] },
      },
    ];
    for (const { strategies, context } of cases) {
      const feature = { id: 'feature-1', type: 'STRING' as const, value: 'default', strategies };
      const applied = sdk!.apply(
        structuredClone(strategies) as unknown[],
        'KEY',
        'feature-1',
        sdkContext(context),
      );
      const theirs = applied.matched ? applied.value : 'default';
      assert.notEqual(evaluateFeature(feature, context).value, theirs, 'the case really differs');
      assert.equal(agreesWithSdk140(feature, context), false, JSON.stringify(strategies));
    }
    // A rule without values on a missing attribute passes EQUALS in both (docs/edge-protocol.md §6.2).
    const missing = {
      id: 'feature-1',
      type: 'STRING' as const,
      value: 'default',
      strategies: [
        {
          id: 's',
          value: 'v',
          attributes: [{ fieldName: 'c', type: 'STRING' as const, conditional: 'EQUALS' as const }],
        },
      ],
    };
    assert.equal(agreesWithSdk140(missing, { other: ['x'] }), true);
    assert.equal(evaluateFeature(missing, { other: ['x'] }).value, 'v');
    const applied = sdk!.apply(
      structuredClone(missing.strategies),
      'KEY',
      'feature-1',
      sdkContext({ other: ['x'] }),
    );
    assert.equal(applied.matched ? applied.value : 'default', 'v');
  });

  it('a percentage strategy with attributes does not match a context without a percentage key, as in 1.4.0', () => {
    const nz = {
      fieldName: 'country',
      type: 'STRING' as const,
      conditional: 'EQUALS' as const,
      values: ['nz'],
    };
    const strategies: EvaluableStrategy[] = [
      { id: 'nz10', percentage: 100000, value: 'nz10', attributes: [nz] },
      { id: 'nz100', percentage: 1000000, value: 'nz100', attributes: [nz] },
      { id: 'nz-all', percentage: 0, value: 'nz-all', attributes: [nz] },
    ];
    const served = (list: EvaluableStrategy[], context: EvaluationContext) => {
      const feature = { id: 'feature-1', type: 'STRING' as const, value: 'default', strategies: list };
      const applied = sdk!.apply(structuredClone(list) as unknown[], 'KEY', 'feature-1', sdkContext(context));
      assert.ok(agreesWithSdk140(feature, context), JSON.stringify({ list, context }));
      return {
        ours: evaluateFeature(feature, context).value,
        sdk: applied.matched ? applied.value : 'default',
      };
    };
    const keyless = { country: ['nz'] };
    assert.deepEqual(served(strategies.slice(0, 2), keyless), { ours: 'default', sdk: 'default' });
    assert.deepEqual(served(strategies, keyless), { ours: 'nz-all', sdk: 'nz-all' });
    const withSession = { session: ['sess-abc'], country: ['nz'] };
    assert.deepEqual(served(strategies.slice(1, 2), withSession), { ours: 'nz100', sdk: 'nz100' });
  });

  it('an empty user or session key is flagged: 1.4.0 reads it as no key, we hash it', () => {
    const strategies: EvaluableStrategy[] = [{ id: 'all', percentage: 1000000, value: 'all' }];
    const feature = { id: 'feature-1', type: 'STRING' as const, value: 'default', strategies };
    const contexts: EvaluationContext[] = [{ userkey: [''] }, { session: [''], userkey: ['u'] }];
    for (const context of contexts) {
      const applied = sdk!.apply(
        structuredClone(strategies) as unknown[],
        'KEY',
        'feature-1',
        sdkContext(context),
      );
      assert.equal(applied.matched, false);
      assert.equal(evaluateFeature(feature, context).value, 'all');
      assert.equal(agreesWithSdk140(feature, context), false);
    }
  });

  it('never claims agreement where SDK 1.4.0 serves another value, over 20,000 seeded cases', () => {
    const r = prng(20240615);
    let agreed = 0;
    for (let n = 0; n < 20_000; n++) {
      const { strategies, context } = randomCase(r);
      const feature = { id: 'feature-1', type: 'STRING' as const, value: 'default', strategies };
      if (!agreesWithSdk140(feature, context)) continue;
      agreed++;
      const ours = evaluateFeature(feature, context).value;
      let theirs: unknown;
      try {
        const applied = sdk!.apply(
          structuredClone(strategies) as unknown[],
          'KEY',
          'feature-1',
          sdkContext(context),
        );
        theirs = applied.matched ? applied.value : 'default';
      } catch (e) {
        theirs = `threw ${String(e)}`;
      }
      assert.equal(ours, theirs, JSON.stringify({ strategies, context }));
    }
    // The helper must leave a useful share of cases for differential tests.
    assert.ok(agreed > 4000, `only ${agreed} cases agreed`);
  });
});
