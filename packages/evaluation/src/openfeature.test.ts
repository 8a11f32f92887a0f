import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileFeature,
  type EvaluableFeature,
  evaluateCompiled,
  MAX_OPENFEATURE_ATTRIBUTES,
  mapOpenFeatureContext,
  toOpenFeatureResolution,
} from './index.ts';

describe('mapOpenFeatureContext', () => {
  it('targetingKey becomes userkey; scalars one value, arrays several, dates their ISO text', () => {
    const mapped = mapOpenFeatureContext({
      targetingKey: 'u1',
      country: 'new_zealand',
      tier: 3,
      beta: true,
      platforms: ['ios', 'android'],
      since: new Date('2024-06-12T10:00:00Z'),
      gone: null,
      none: [],
    });
    assert.ok(mapped.ok);
    assert.deepEqual(
      { ...mapped.context },
      {
        userkey: ['u1'],
        country: ['new_zealand'],
        tier: ['3'],
        beta: ['true'],
        platforms: ['ios', 'android'],
        since: ['2024-06-12T10:00:00.000Z'],
      },
    );
  });

  it('the targeting key wins over a userkey attribute; an empty one is no key', () => {
    const both = mapOpenFeatureContext({ userkey: 'attr', targetingKey: 'tk' });
    assert.ok(both.ok);
    assert.deepEqual(both.context['userkey'], ['tk']);
    const empty = mapOpenFeatureContext({ targetingKey: '' });
    assert.ok(empty.ok);
    assert.equal(empty.context['userkey'], undefined);
  });

  it('no context is an empty one', () => {
    for (const input of [undefined, null])
      assert.deepEqual(mapOpenFeatureContext(input), { ok: true, context: {} });
  });

  it('says why a context cannot be evaluated', () => {
    const cases: [unknown, RegExp][] = [
      ['text', /JSON object/],
      [[1, 2], /JSON object/],
      [{ targetingKey: 5 }, /targetingKey must be a string/],
      [{ nested: { a: 1 } }, /"nested": must be/],
      [{ list: [{ a: 1 }] }, /"list": must be/],
      [{ n: Number.NaN }, /"n": must be/],
      [{ many: Array.from({ length: 101 }, () => 'x') }, /more than 100 values/],
      [
        Object.fromEntries(Array.from({ length: MAX_OPENFEATURE_ATTRIBUTES + 1 }, (_, i) => [`a${i}`, 'x'])),
        /at most 100/,
      ],
      [{ long: 'x'.repeat(5000) }, /"long": must be/],
    ];
    for (const [input, message] of cases) {
      const mapped = mapOpenFeatureContext(input);
      assert.equal(mapped.ok, false, JSON.stringify(input)?.slice(0, 60));
      if (!mapped.ok) assert.match(mapped.message, message);
    }
  });
});

describe('toOpenFeatureResolution', () => {
  const colour: EvaluableFeature = {
    id: 'f1',
    type: 'STRING',
    value: 'red',
    strategies: [
      {
        id: 'nz',
        value: 'nz',
        attributes: [
          { conditional: 'EQUALS', fieldName: 'country', type: 'STRING', values: ['new_zealand'] },
        ],
      },
      { id: 'half', percentage: 500000, value: 'blue' },
    ],
  };
  const resolve = (feature: EvaluableFeature, context: Record<string, string[]>) =>
    toOpenFeatureResolution(
      feature,
      evaluateCompiled(compileFeature(feature), context),
      ['session', 'sessionkey', 'userkey'].some((k) => k in context),
    );

  it('names the reason: attributes TARGETING_MATCH, a percentage SPLIT, none STATIC', () => {
    assert.deepEqual(resolve(colour, { country: ['new_zealand'] }), {
      reason: 'TARGETING_MATCH',
      variant: 'nz',
      value: 'nz',
    });
    const reasons = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const r = resolve(colour, { userkey: [`u${i}`] });
      assert.ok('reason' in r);
      reasons.add(`${r.reason}/${r.variant}/${'value' in r ? r.value : ''}`);
    }
    assert.deepEqual([...reasons].sort(), ['SPLIT/half/blue', 'STATIC/default/red']);
  });

  it('a percentage rollout without a key is TARGETING_KEY_MISSING, unless another strategy matches', () => {
    assert.equal(
      (resolve(colour, { country: ['france'] }) as { errorCode: string }).errorCode,
      'TARGETING_KEY_MISSING',
    );
    assert.equal((resolve(colour, { country: ['new_zealand'] }) as { value: string }).value, 'nz');
    const plain: EvaluableFeature = { id: 'f2', type: 'BOOLEAN', value: true };
    assert.deepEqual(resolve(plain, {}), { reason: 'STATIC', variant: 'default', value: true });
  });

  it('types values: JSON parsed, unset left out as DISABLED, unparsable JSON a PARSE_ERROR', () => {
    assert.deepEqual(resolve({ id: 'j', type: 'JSON', value: '{"a":[1]}' }, {}), {
      reason: 'STATIC',
      variant: 'default',
      value: { a: [1] },
    });
    assert.deepEqual(resolve({ id: 'n', type: 'NUMBER', value: '4.5' }, {}), {
      reason: 'STATIC',
      variant: 'default',
      value: 4.5,
    });
    assert.deepEqual(resolve({ id: 'u', type: 'STRING' }, {}), { reason: 'DISABLED', variant: 'default' });
    assert.equal(
      (resolve({ id: 'bad', type: 'JSON', value: '{nope' }, {}) as { errorCode: string }).errorCode,
      'PARSE_ERROR',
    );
  });
});
