import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeatureValueType, RolloutStrategyAttribute } from '@fh/contracts';
import {
  agreesWithSdk140,
  type EvaluableFeature,
  type EvaluableStrategy,
  type EvaluationContext,
  evaluateFeature,
  findMatchingStrategy,
  parseContextHeader,
  percentageBucket,
  sdk140Divergences,
  toWireValue,
} from './index.ts';

const country = (c: string): RolloutStrategyAttribute => ({
  fieldName: 'country',
  conditional: 'EQUALS',
  type: 'STRING',
  values: [c],
});

const feature = (strategies: readonly EvaluableStrategy[], value: unknown = 'default'): EvaluableFeature => ({
  id: 'feature-1',
  type: 'STRING',
  value,
  strategies,
});

const A = [{ id: 'blue', percentage: 200000, value: 'blue', attributes: [] }];
const B = [
  { id: 'blue', percentage: 200000, value: 'blue' },
  { id: 'green', percentage: 300000, value: 'green' },
];
const C = [
  { id: 'nz', value: 'nz', attributes: [country('new_zealand')] },
  { id: 'half', percentage: 500000, value: 'half' },
];
const Cprime = [{ ...C[0]!, percentage: 0 }, C[1]!];
const D = [{ id: 'half-nz', percentage: 500000, value: 'half-nz', attributes: [country('new_zealand')] }];
const E = [
  { id: 'nz30', percentage: 300000, value: 'nz30', attributes: [country('new_zealand')] },
  { id: 'forty', percentage: 400000, value: 'forty' },
];
const F = A;
const G = [{ id: 'pa', percentage: 500000, percentageAttributes: ['company'], value: 'pa' }];
const Gprime = [{ id: 'pa2', percentage: 500000, percentageAttributes: ['company', 'store'], value: 'pa2' }];

const user = (key: string, extra: EvaluationContext = {}): EvaluationContext => ({
  userkey: [key],
  ...extra,
});

// docs/edge-protocol.md §6.3 scenario vectors; `expected` is the Java Edge / documented column (with the
// session key rule of trap 10), `sdk` the SDK 1.4.0 answer when it differs.
const scenarios: ReadonlyArray<{
  name: string;
  strategies: readonly EvaluableStrategy[];
  context: EvaluationContext;
  expected: string;
  sdk?: string;
}> = [
  { name: 'A user17 (116328)', strategies: A, context: user('user17'), expected: 'blue' },
  { name: 'A user5 (233009)', strategies: A, context: user('user5'), expected: 'default' },
  { name: 'A empty context', strategies: A, context: {}, expected: 'default' },
  { name: 'B user4 (197244)', strategies: B, context: user('user4'), expected: 'blue' },
  { name: 'B user22 (216261)', strategies: B, context: user('user22'), expected: 'green' },
  { name: 'B user27 (310176)', strategies: B, context: user('user27'), expected: 'green', sdk: 'default' },
  { name: 'B user25 (360368)', strategies: B, context: user('user25'), expected: 'green', sdk: 'default' },
  { name: 'B user2 (563691)', strategies: B, context: user('user2'), expected: 'default' },
  {
    name: 'C user0 australia (NaN bug in 1.4.0)',
    strategies: C,
    context: user('user0', { country: ['australia'] }),
    expected: 'half',
    sdk: 'default',
  },
  {
    name: "C' user0 australia",
    strategies: Cprime,
    context: user('user0', { country: ['australia'] }),
    expected: 'half',
  },
  {
    name: 'C user0 new_zealand',
    strategies: C,
    context: user('user0', { country: ['new_zealand'] }),
    expected: 'nz',
  },
  { name: 'C new_zealand, no userkey', strategies: C, context: { country: ['new_zealand'] }, expected: 'nz' },
  {
    name: 'D user0 new_zealand',
    strategies: D,
    context: user('user0', { country: ['new_zealand'] }),
    expected: 'half-nz',
  },
  {
    name: 'D user0 australia',
    strategies: D,
    context: user('user0', { country: ['australia'] }),
    expected: 'default',
  },
  {
    name: 'D user2 new_zealand',
    strategies: D,
    context: user('user2', { country: ['new_zealand'] }),
    expected: 'default',
  },
  {
    name: 'D new_zealand, no percentage key',
    strategies: D,
    context: { country: ['new_zealand'] },
    expected: 'default',
  },
  {
    name: 'D session sess-abc (433852) new_zealand',
    strategies: D,
    context: { session: ['sess-abc'], country: ['new_zealand'] },
    expected: 'half-nz',
  },
  {
    name: 'E user12 australia',
    strategies: E,
    context: user('user12', { country: ['australia'] }),
    expected: 'forty',
  },
  {
    name: 'E user24 australia',
    strategies: E,
    context: user('user24', { country: ['australia'] }),
    expected: 'default',
    sdk: 'forty',
  },
  {
    name: 'E user14 australia',
    strategies: E,
    context: user('user14', { country: ['australia'] }),
    expected: 'default',
    sdk: 'forty',
  },
  {
    name: 'F userkey user17 + session sess-abc: session is the key (433852)',
    strategies: F,
    context: user('user17', { session: ['sess-abc'] }),
    expected: 'default',
  },
  { name: 'F session sess-abc only', strategies: F, context: { session: ['sess-abc'] }, expected: 'default' },
  { name: 'G company acme (182644)', strategies: G, context: { company: ['acme'] }, expected: 'pa' },
  { name: 'G empty context → <none> (299342)', strategies: G, context: {}, expected: 'pa' },
  {
    name: "G' acme + store9 (732241)",
    strategies: Gprime,
    context: { company: ['acme'], store: ['store9'] },
    expected: 'default',
  },
  {
    name: "G' acme only → acme$<none> (57846)",
    strategies: Gprime,
    context: { company: ['acme'] },
    expected: 'pa2',
  },
];

describe('§6.3 scenario vectors (documented / Java Edge semantics)', () => {
  for (const s of scenarios) {
    it(`${s.name} → ${s.expected}${s.sdk ? ` (SDK 1.4.0: ${s.sdk})` : ''}`, () => {
      const result = evaluateFeature(feature(s.strategies), s.context);
      assert.equal(result.value, s.expected);
      assert.equal(result.matched, s.expected !== 'default');
      assert.equal(result.strategyId, s.expected === 'default' ? undefined : s.expected);
    });
  }
});

describe('sdk140Divergences on the scenario vectors', () => {
  for (const s of scenarios.filter((x) => x.sdk !== undefined)) {
    it(`flags ${s.name}`, () => {
      assert.equal(agreesWithSdk140(feature(s.strategies), s.context), false);
    });
  }

  it('passes single-percentage, percentage+attribute and percentage-attribute strategies', () => {
    for (const [strategies, context] of [
      [A, user('user17')],
      [D, user('user0', { country: ['new_zealand'] })],
      [G, { company: ['acme'] }],
      [Cprime, user('user0', { country: ['australia'] })],
    ] as const) {
      assert.deepEqual(sdk140Divergences(feature(strategies), context), []);
    }
  });

  it('flags a sessionkey-only default key and multi-value percentage attributes', () => {
    assert.equal(agreesWithSdk140(feature(A), { sessionkey: ['s'], userkey: ['u'] }), false);
    assert.equal(agreesWithSdk140(feature(G), { company: ['a', 'b'] }), false);
  });

  it('flags percentage null, which makes 1.4.0 ignore the attributes (write 0 instead)', () => {
    const strategies = [{ id: 'nz', percentage: null, value: 'nz', attributes: [country('new_zealand')] }];
    assert.equal(agreesWithSdk140(feature(strategies), { country: ['new_zealand'] }), false);
    assert.ok(
      agreesWithSdk140(feature([{ ...strategies[0]!, percentage: 0 }]), { country: ['new_zealand'] }),
    );
  });

  it('agrees with 1.4.0 on a percentage strategy with attributes and no percentage key', () => {
    const strategies = [{ id: 's', percentage: 500000, value: 'x', attributes: [country('nz')] }];
    assert.deepEqual(sdk140Divergences(feature(strategies), { country: ['nz'] }), []);
    assert.deepEqual(sdk140Divergences(feature(strategies), { session: ['s'], country: ['nz'] }), []);
  });

  it('flags an empty default percentage key, which 1.4.0 reads as no key', () => {
    assert.equal(agreesWithSdk140(feature(A), { userkey: [''] }), false);
    assert.equal(agreesWithSdk140(feature(A), { session: [''], userkey: ['u'] }), false);
    assert.equal(agreesWithSdk140(feature(G), { userkey: [''] }), true);
  });

  it('agrees trivially without a context or strategies', () => {
    assert.ok(agreesWithSdk140(feature(B), undefined));
    assert.ok(agreesWithSdk140(feature([]), user('u')));
  });
});

const pinned = (bucket: number) => ({ percentageBucket: () => bucket });

describe('upstream apply-feature vectors (percentage calculator stubbed)', () => {
  const ctx = user('someone');
  it('JS: bucket 15 matches [20% sausage]', () => {
    const r = evaluateFeature(feature([{ id: 's', percentage: 20, value: 'sausage' }]), ctx, pinned(15));
    assert.equal(r.value, 'sausage');
  });
  it('JS: bucket 21 does not match [20% sausage]', () => {
    const r = evaluateFeature(feature([{ id: 's', percentage: 20, value: 'sausage' }]), ctx, pinned(21));
    assert.equal(r.matched, false);
  });
  const ponsonby: EvaluableStrategy = {
    id: 'p',
    percentage: 20,
    value: 'ponsonby',
    attributes: [{ fieldName: 'warehouseId', conditional: 'INCLUDES', type: 'STRING', values: ['ponsonby'] }],
  };
  it('JS: 20% AND warehouseId INCLUDES ponsonby, bucket 15, warehouseId=ponsonby → match', () => {
    assert.equal(
      evaluateFeature(feature([ponsonby]), user('u', { warehouseId: ['ponsonby'] }), pinned(15)).matched,
      true,
    );
  });
  it('JS: the same without warehouseId → no match', () => {
    assert.equal(evaluateFeature(feature([ponsonby]), user('u'), pinned(15)).matched, false);
  });
  it('JS: an empty or missing strategy list → no match', () => {
    assert.equal(findMatchingStrategy([], 'f', ctx), undefined);
    assert.equal(findMatchingStrategy(undefined, 'f', ctx), undefined);
  });
  for (const [percentage, matches] of [
    [22, true],
    [75, true],
    [15, false],
    [20, false],
  ] as const) {
    it(`Java: bucket 21 with percentage ${percentage} → ${matches ? 'blue' : 'no match'}`, () => {
      const r = evaluateFeature(feature([{ id: 'b', percentage, value: 'blue' }]), ctx, pinned(21));
      assert.equal(r.matched, matches);
    });
  }
  it('Java: no userkey → no match', () => {
    assert.equal(
      evaluateFeature(feature([{ id: 'b', percentage: 75, value: 'blue' }]), {}, pinned(21)).matched,
      false,
    );
  });
});

describe('percentage rules (traps 11 and 12)', () => {
  it('compares with <=, so a bucket equal to the percentage matches', () => {
    assert.equal(
      evaluateFeature(feature([{ id: 's', percentage: 21, value: 'x' }]), user('u'), pinned(21)).value,
      'x',
    );
  });
  it('always matches 100% (1,000,000)', () => {
    for (const u of ['user6', 'user21', 'anyone']) {
      assert.equal(
        evaluateFeature(feature([{ id: 's', percentage: 1_000_000, value: 'all' }]), user(u)).value,
        'all',
      );
    }
    assert.equal(
      evaluateFeature(feature([{ id: 's', percentage: 1_000_000, value: 'all' }]), user('u'), pinned(999_999))
        .value,
      'all',
    );
  });
  it('hashes the percentage key with the feature id it is given', () => {
    const strategies = [{ id: 's', percentage: 200000, value: 'blue' }];
    const ids = ['feature-1', 'feature-2', 'feature-3', 'feature-4', 'feature-5', 'feature-6'];
    const served = ids.map((id) => evaluateFeature({ ...feature(strategies), id }, user('user17')).value);
    assert.deepEqual(
      served,
      ids.map((id) => (percentageBucket('user17', id) <= 200000 ? 'blue' : 'default')),
    );
    assert.equal(served[0], 'blue');
    assert.ok(served.includes('default'), 'some other id puts user17 outside 20 %');
  });
  it('accumulates percentages per percentage key, not across keys', () => {
    const strategies = [
      { id: 'by-company', percentage: 400000, percentageAttributes: ['company'], value: 'company' },
      { id: 'by-user', percentage: 300000, value: 'user' },
    ];
    // The company strategy's 40 % must not raise the base of the userkey strategy.
    const buckets: Record<string, number> = { acme: 600000, u: 350000 };
    const opts = { percentageBucket: (k: string) => buckets[k] ?? 0 };
    assert.equal(
      evaluateFeature(feature(strategies), { company: ['acme'], userkey: ['u'] }, opts).value,
      'default',
    );
    const cumulative = [
      { id: 'first', percentage: 300000, value: 'first' },
      { id: 'second', percentage: 300000, value: 'second' },
    ];
    assert.equal(evaluateFeature(feature(cumulative), user('u'), opts).value, 'second');
  });
  it('treats percentage 0, null and absent as "no percentage rule"', () => {
    for (const percentage of [0, null, undefined]) {
      const s = [{ id: 's', percentage, value: 'x' }];
      assert.equal(evaluateFeature(feature(s), user('u'), pinned(0)).matched, false, String(percentage));
      const withAttr = [{ id: 's', percentage, value: 'nz', attributes: [country('nz')] }];
      assert.equal(
        evaluateFeature(feature(withAttr), user('u', { country: ['nz'] }), pinned(999_999)).value,
        'nz',
      );
    }
  });
  it('a percentage strategy with attributes does not match a context without a percentage key', () => {
    const strategies = [{ id: 's', percentage: 100000, value: 'nz10', attributes: [country('nz')] }];
    // Whatever the bucket would be: without a key there is none to compare.
    for (const bucket of [0, 999_999]) {
      const r = evaluateFeature(feature(strategies), { country: ['nz'] }, pinned(bucket));
      assert.deepEqual(r, { value: 'default', matched: false });
    }
    assert.equal(findMatchingStrategy(strategies, 'feature-1', { country: ['nz'] }), undefined);
    // 100 % is no exception.
    const all = [{ id: 's', percentage: 1_000_000, value: 'nz', attributes: [country('nz')] }];
    assert.equal(evaluateFeature(feature(all), { country: ['nz'] }).matched, false);
  });
  it('a percentage strategy with attributes matches a context with only a session key', () => {
    const strategies = [{ id: 's', percentage: 100000, value: 'nz10', attributes: [country('nz')] }];
    const context = { session: ['sess-abc'], country: ['nz'] };
    assert.equal(evaluateFeature(feature(strategies), context, pinned(100000)).value, 'nz10');
    assert.equal(evaluateFeature(feature(strategies), context, pinned(100001)).matched, false);
    const sessionkey = { sessionkey: ['sk'], country: ['nz'] };
    assert.equal(evaluateFeature(feature(strategies), sessionkey, pinned(5)).value, 'nz10');
  });
  it('a percentage strategy with attributes keys on its percentageAttributes when there is no user or session key', () => {
    const strategies = [
      {
        id: 's',
        percentage: 500000,
        percentageAttributes: ['company'],
        value: 'acme-nz',
        attributes: [country('nz')],
      },
    ];
    const buckets: Record<string, number> = { acme: 400000, globex: 600000, '<none>': 100000 };
    const opts = { percentageBucket: (k: string) => buckets[k] ?? 999_999 };
    const nz = { country: ['nz'] };
    assert.equal(evaluateFeature(feature(strategies), { ...nz, company: ['acme'] }, opts).value, 'acme-nz');
    assert.equal(evaluateFeature(feature(strategies), { ...nz, company: ['globex'] }, opts).matched, false);
    // A missing percentage attribute still makes a key (`<none>`), as in SDK 1.4.0 and Java.
    assert.equal(evaluateFeature(feature(strategies), nz, opts).value, 'acme-nz');
  });
  it('a key-less context skips a percentage strategy with attributes and goes on to the next strategy', () => {
    const strategies = [
      { id: 'nz10', percentage: 100000, value: 'nz10', attributes: [country('nz')] },
      { id: 'nz-all', percentage: 0, value: 'nz-all', attributes: [country('nz')] },
    ];
    const r = evaluateFeature(feature(strategies), { country: ['nz'] }, pinned(0));
    assert.deepEqual(r, { value: 'nz-all', matched: true, strategyId: 'nz-all' });
  });
  it('a strategy without a percentage is decided by its attributes alone, with or without a key', () => {
    for (const percentage of [0, null, undefined]) {
      const strategies = [{ id: 's', percentage, value: 'nz', attributes: [country('nz')] }];
      for (const context of [{ country: ['nz'] }, user('u', { country: ['nz'] })]) {
        assert.equal(evaluateFeature(feature(strategies), context, pinned(999_999)).value, 'nz');
      }
    }
  });
  it('skips strategies with neither percentage nor attributes', () => {
    assert.equal(
      evaluateFeature(feature([{ id: 's', value: 'x', attributes: [] }]), user('u')).matched,
      false,
    );
  });
  it('takes the first match in array order', () => {
    const strategies = [
      { id: 'one', value: 'one', attributes: [country('nz')] },
      { id: 'two', value: 'two', attributes: [country('nz')] },
    ];
    assert.equal(evaluateFeature(feature(strategies), { country: ['nz'] }).strategyId, 'one');
  });
  it('ANDs attributes', () => {
    const strategies = [
      {
        id: 's',
        value: 'both',
        attributes: [
          country('nz'),
          {
            fieldName: 'device',
            conditional: 'EQUALS' as const,
            type: 'STRING' as const,
            values: ['mobile'],
          },
        ],
      },
    ];
    assert.equal(evaluateFeature(feature(strategies), { country: ['nz'], device: ['mobile'] }).value, 'both');
    assert.equal(
      evaluateFeature(feature(strategies), { country: ['nz'], device: ['desktop'] }).value,
      'default',
    );
  });
});

describe('fallback and value typing (§6.2)', () => {
  it('serves the default without a context, even if strategies would match everyone', () => {
    const r = evaluateFeature(feature([{ id: 's', percentage: 1_000_000, value: 'x' }]), undefined);
    assert.deepEqual(r, { value: 'default', matched: false });
  });
  it('reads as unset when there is no default', () => {
    assert.deepEqual(evaluateFeature({ ...feature([]), value: undefined }, {}), {
      value: undefined,
      matched: false,
    });
    assert.deepEqual(evaluateFeature(feature([], null), {}), { value: undefined, matched: false });
  });
  it('reads as unset when the matched strategy value is null, still reporting the strategy', () => {
    const r = evaluateFeature(feature([{ id: 's', value: null, attributes: [country('nz')] }]), {
      country: ['nz'],
    });
    assert.deepEqual(r, { value: undefined, matched: true, strategyId: 's' });
  });
  it('omits strategyId for a matched strategy without id', () => {
    const r = evaluateFeature(feature([{ value: 'x', attributes: [country('nz')] }]), { country: ['nz'] });
    assert.deepEqual(r, { value: 'x', matched: true });
  });

  const conversions: ReadonlyArray<readonly [FeatureValueType, unknown, unknown]> = [
    ['BOOLEAN', true, true],
    ['BOOLEAN', 'true', true],
    ['BOOLEAN', false, false],
    ['BOOLEAN', 'false', false],
    ['BOOLEAN', 'TRUE', false],
    ['NUMBER', 5, 5],
    ['NUMBER', '5', 5],
    ['NUMBER', '2.5', 2.5],
    ['NUMBER', '-1e3', -1000],
    ['NUMBER', 'abc', undefined],
    ['NUMBER', Number.NaN, undefined],
    ['STRING', 'x', 'x'],
    ['STRING', 5, '5'],
    ['STRING', true, 'true'],
    ['JSON', '{"a":1}', '{"a":1}'],
    ['JSON', { a: 1 }, '{"a":1}'],
    ['JSON', [1, 2], '[1,2]'],
    ['STRING', null, undefined],
    ['BOOLEAN', undefined, undefined],
  ];
  for (const [type, raw, expected] of conversions) {
    it(`converts ${JSON.stringify(raw) ?? 'undefined'} for a ${type} feature to ${JSON.stringify(expected) ?? 'unset'}`, () => {
      assert.equal(toWireValue(type, raw), expected);
    });
  }

  it('types strategy values and defaults alike', () => {
    const f: EvaluableFeature = {
      id: 'f',
      type: 'BOOLEAN',
      value: 'false',
      strategies: [{ id: 's', value: 'true', attributes: [country('nz')] }],
    };
    assert.equal(evaluateFeature(f, { country: ['nz'] }).value, true);
    assert.equal(evaluateFeature(f, { country: ['au'] }).value, false);
  });
});

describe('bad strategy data falls back to the default, never throws', () => {
  const garbage: unknown[] = [
    [null, 5, 'x', { percentage: 'x' }, { attributes: 'no' }, { attributes: [null, 7] }],
    'abc',
    { length: 3 },
    [{ percentage: Number.POSITIVE_INFINITY, value: 'inf' }],
    [{ id: 's', percentageAttributes: 'company', percentage: 1_000_000, value: 'x' }],
    [
      {
        id: 's',
        attributes: [{ fieldName: 'country', conditional: 'EQUALS', type: 'STRING', values: 'nz' }],
        value: 'x',
      },
    ],
    [
      {
        id: 's',
        attributes: [{ fieldName: 'x', conditional: 'REGEX', type: 'STRING', values: ['(['] }],
        value: 'x',
      },
    ],
  ];
  for (const [i, strategies] of garbage.entries()) {
    it(`garbage strategies #${i + 1}`, () => {
      const f = { id: 'f', type: 'STRING', value: 'default', strategies } as unknown as EvaluableFeature;
      const r = evaluateFeature(f, { country: ['nz'], x: ['['] });
      assert.equal(r.value, 'default');
    });
  }

  it('survives a hostile context and an unknown feature type', () => {
    const hostile = new Proxy(
      {},
      {
        has: () => {
          throw new Error('boom');
        },
        getOwnPropertyDescriptor: () => {
          throw new Error('boom');
        },
      },
    ) as EvaluationContext;
    assert.equal(evaluateFeature(feature(B), hostile).value, 'default');
    const unknownType = {
      id: 'f',
      type: 'ENCRYPTED',
      value: 'x',
      strategies: [],
    } as unknown as EvaluableFeature;
    assert.deepEqual(evaluateFeature(unknownType, {}), { value: undefined, matched: false });
  });

  it('survives a throwing percentage calculator', () => {
    const opts = {
      percentageBucket: () => {
        throw new Error('boom');
      },
    };
    assert.equal(evaluateFeature(feature(B), user('u'), opts).value, 'default');
  });
});

describe('end to end with the context header', () => {
  it('evaluates a server-eval request for user17 in australia', () => {
    const context = parseContextHeader('country=australia,userkey=user17');
    const f: EvaluableFeature = {
      id: 'feature-1',
      type: 'STRING',
      value: 'red',
      strategies: [
        { id: 's1', percentage: 200000, value: 'blue', attributes: [] },
        { id: 's2', value: 'nz', attributes: [country('new_zealand')] },
      ],
    };
    assert.deepEqual(evaluateFeature(f, context), { value: 'blue', matched: true, strategyId: 's1' });
    assert.deepEqual(evaluateFeature(f, parseContextHeader('country=new_zealand')), {
      value: 'nz',
      matched: true,
      strategyId: 's2',
    });
  });
});
