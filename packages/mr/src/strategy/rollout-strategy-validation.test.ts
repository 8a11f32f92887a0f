import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  RolloutStrategy,
  RolloutStrategyAttribute,
  RolloutStrategyViolationType,
} from '../api/index.ts';
import {
  hasViolations,
  InvalidRolloutStrategiesError,
  isIpOrCidr,
  isIsoDate,
  isIsoOffsetDateTime,
  MAX_PERCENTAGE,
  normaliseRolloutStrategies,
  requireValidRolloutStrategies,
  strategyViolations,
  validateRolloutStrategies,
} from './rollout-strategy-validation.ts';

const attr = (a: Partial<RolloutStrategyAttribute>): RolloutStrategyAttribute =>
  ({
    id: 'at01',
    conditional: 'EQUALS',
    fieldName: 'userkey',
    type: 'STRING',
    values: ['x'],
    ...a,
  }) as RolloutStrategyAttribute;

const strategy = (s: Partial<RolloutStrategy>): RolloutStrategy => ({
  id: 'st01',
  name: 'strategy',
  value: true,
  percentage: 1000,
  ...s,
});

function violationsOf(s: Partial<RolloutStrategy>): RolloutStrategyViolationType[] {
  return strategyViolations(normaliseRolloutStrategies([strategy(s)])[0]!).map((v) => v.violation);
}

function attributeViolations(a: Partial<RolloutStrategyAttribute>): RolloutStrategyViolationType[] {
  return violationsOf({ percentage: null, attributes: [attr(a)] });
}

describe('rollout strategy validation: one strategy', () => {
  it('a strategy with a name and a percentage is valid', () => {
    assert.deepEqual(violationsOf({}), []);
  });

  it('a missing or blank name is no_name, a name over 200 characters (after trimming) is name_too_long', () => {
    assert.deepEqual(violationsOf({ name: undefined }), ['no_name']);
    assert.deepEqual(violationsOf({ name: '   ' }), ['no_name']);
    assert.deepEqual(violationsOf({ name: 'x'.repeat(201) }), ['name_too_long']);
    assert.deepEqual(violationsOf({ name: `  ${'x'.repeat(200)}  ` }), []);
  });

  it('no attributes and no percentage is empty_match_criteria', () => {
    assert.deepEqual(violationsOf({ percentage: null }), ['empty_match_criteria']);
    assert.deepEqual(violationsOf({ percentage: 0 }), []);
  });

  it('percentages must lie in 0..1,000,000', () => {
    assert.deepEqual(violationsOf({ percentage: -1 }), ['negative_percentage']);
    assert.deepEqual(violationsOf({ percentage: MAX_PERCENTAGE }), []);
    assert.deepEqual(violationsOf({ percentage: MAX_PERCENTAGE + 1 }), ['percentage_over_100_percent']);
  });

  it('an attribute without values is array_attribute_no_values, with a null value attr_missing_value', () => {
    assert.deepEqual(attributeViolations({ values: [] }), ['array_attribute_no_values']);
    assert.deepEqual(attributeViolations({ values: undefined }), ['array_attribute_no_values']);
    assert.deepEqual(attributeViolations({ values: ['a', null] }), ['attr_missing_value']);
  });

  it('an attribute needs a conditional, a field name and a field type', () => {
    assert.deepEqual(attributeViolations({ conditional: undefined as never }), ['attr_missing_conditional']);
    assert.deepEqual(attributeViolations({ fieldName: ' ' }), ['attr_missing_field_name']);
    assert.deepEqual(attributeViolations({ type: undefined as never }), ['attr_missing_field_type']);
  });

  it('values must suit the field type', () => {
    assert.deepEqual(attributeViolations({ type: 'SEMANTIC_VERSION', values: ['1.2.3-beta.1+b7'] }), []);
    assert.deepEqual(attributeViolations({ type: 'SEMANTIC_VERSION', values: ['1.2'] }), [
      'attr_val_not_semantic_version',
    ]);
    assert.deepEqual(attributeViolations({ type: 'NUMBER', values: [12, '-3.5e2'] }), []);
    assert.deepEqual(attributeViolations({ type: 'NUMBER', values: ['twelve'] }), ['attr_val_not_number']);
    assert.deepEqual(attributeViolations({ type: 'DATE', values: ['2024-02-29'] }), []);
    assert.deepEqual(attributeViolations({ type: 'DATE', values: ['2023-02-29'] }), ['attr_val_not_date']);
    assert.deepEqual(attributeViolations({ type: 'DATETIME', values: ['2024-02-29T10:00:00.5+01:00'] }), []);
    assert.deepEqual(attributeViolations({ type: 'DATETIME', values: ['2024-02-29T10:00:00'] }), [
      'attr_val_not_date_time',
    ]);
    assert.deepEqual(
      attributeViolations({ type: 'IP_ADDRESS', values: ['10.0.0.0/8', '::1', '192.168.1.1'] }),
      [],
    );
    assert.deepEqual(attributeViolations({ type: 'IP_ADDRESS', values: ['10.0.0.0/33'] }), [
      'attr_val_not_cidr',
    ]);
  });

  it('well-known country, device and platform values must come from their enums', () => {
    assert.deepEqual(attributeViolations({ fieldName: 'country', values: ['new_zealand'] }), []);
    assert.deepEqual(attributeViolations({ fieldName: 'country', values: ['atlantis'] }), [
      'attr_invalid_well_known_enum',
    ]);
    assert.deepEqual(attributeViolations({ fieldName: 'device', values: ['toaster'] }), [
      'attr_invalid_well_known_enum',
    ]);
    assert.deepEqual(attributeViolations({ fieldName: 'platform', values: ['ios', 'plan9'] }), [
      'attr_invalid_well_known_enum',
    ]);
  });

  it('values that are objects are attr_unknown_failure', () => {
    assert.deepEqual(attributeViolations({ values: [{ a: 1 }] }), ['attr_unknown_failure']);
  });

  it('attribute violations name the attribute', () => {
    const [v] = strategyViolations(
      strategy({ percentage: null, attributes: [attr({ id: 'zz99', values: [] })] }),
    );
    assert.deepEqual(v, { id: 'zz99', violation: 'array_attribute_no_values' });
  });
});

describe('rollout strategy validation: the collection', () => {
  it('percentage-only strategies may add up to 100% but no more', () => {
    const ok = validateRolloutStrategies({
      customStrategies: [
        strategy({ id: 'a', percentage: 600000 }),
        strategy({ id: 'b', percentage: 400000 }),
      ],
    });
    assert.equal(hasViolations(ok.response), false);
    const over = validateRolloutStrategies({
      customStrategies: [
        strategy({ id: 'a', percentage: 600000 }),
        strategy({ id: 'b', percentage: 400001 }),
        // strategies with attributes do not count towards the total
        strategy({ id: 'c', percentage: 900000, attributes: [attr({})] }),
      ],
    });
    assert.deepEqual(over.response.violations, ['percentage_adds_over_100_percent']);
  });

  it('a BOOLEAN feature value needs a value on every custom strategy', () => {
    const r = validateRolloutStrategies({
      featureValueType: 'BOOLEAN',
      customStrategies: [strategy({ value: null })],
    });
    assert.deepEqual(r.response.violations, ['boolean_has_no_value']);
    const s = validateRolloutStrategies({
      featureValueType: 'STRING',
      customStrategies: [strategy({ value: null })],
    });
    assert.equal(hasViolations(s.response), false);
  });

  it('lists each invalid strategy (normalised) with its violations', () => {
    const r = validateRolloutStrategies({
      customStrategies: [strategy({ id: null, name: ' ok ' }), strategy({ id: 'bad', name: '' })],
    });
    assert.equal(r.response.customStategyViolations?.length, 1);
    assert.equal(r.response.customStategyViolations?.[0]?.strategy?.id, 'bad');
    assert.deepEqual(r.response.customStategyViolations?.[0]?.violations, [{ violation: 'no_name' }]);
    assert.equal(r.customStrategies[0]?.name, 'ok');
    assert.deepEqual(r.response.sharedStrategyViolations, []);
  });

  it('requireValidRolloutStrategies throws a 422 whose body is the validation response', () => {
    assert.throws(
      () => requireValidRolloutStrategies({ customStrategies: [strategy({ percentage: -5 })] }),
      (err: unknown) => {
        assert.ok(err instanceof InvalidRolloutStrategiesError);
        assert.equal(err.status, 422);
        const body = err.body();
        assert.equal(body.code, 'invalid_strategies');
        assert.deepEqual(body.customStategyViolations?.[0]?.violations, [
          { violation: 'negative_percentage' },
        ]);
        assert.match(body.message, /negative_percentage/);
        return true;
      },
    );
    assert.doesNotThrow(() => requireValidRolloutStrategies({}));
  });
});

describe('rollout strategy normalisation', () => {
  it('gives strategies and attributes missing or over-long ids a fresh 4-character id', () => {
    const [a, b, c] = normaliseRolloutStrategies([
      strategy({ id: null, attributes: [attr({ id: undefined }), attr({ id: 'toolong' })] }),
      strategy({ id: 'keep' }),
      strategy({ id: 'waytoolong' }),
    ]);
    assert.match(a!.id!, /^[a-zA-Z0-9]{4}$/);
    assert.equal(b!.id, 'keep');
    assert.match(c!.id!, /^[a-zA-Z0-9]{4}$/);
    for (const at of a!.attributes!) assert.match(at.id!, /^[a-zA-Z0-9]{4}$/);
    assert.notEqual(a!.attributes![0]!.id, a!.attributes![1]!.id);
  });

  it('a repeated id is replaced, and a generated id never collides with a kept one', () => {
    let n = 0;
    const ids = ['keep', 'keep', 'new1'];
    const random = () => ids[n++] ?? 'zzzz';
    const out = normaliseRolloutStrategies([strategy({ id: null }), strategy({ id: 'keep' })], random);
    assert.deepEqual(
      out.map((s) => s.id),
      ['new1', 'keep'],
    );
    const dup = normaliseRolloutStrategies([strategy({ id: 'same' }), strategy({ id: 'same' })]);
    assert.equal(dup[0]!.id, 'same');
    assert.notEqual(dup[1]!.id, 'same');
  });

  it('trims STRING values and coerces BOOLEAN values, without touching the input', () => {
    const input = [
      strategy({
        attributes: [
          attr({ id: 's001', values: ['  a  '] }),
          attr({ id: 'b001', type: 'BOOLEAN', values: ['TRUE', 'no', null, false] }),
        ],
      }),
    ];
    const [s] = normaliseRolloutStrategies(input);
    assert.deepEqual(s!.attributes![0]!.values, ['a']);
    assert.deepEqual(s!.attributes![1]!.values, [true, false, false]);
    assert.deepEqual(input[0]!.attributes![0]!.values, ['  a  ']);
  });
});

describe('value parsers', () => {
  it('dates, offset date-times and addresses', () => {
    assert.equal(isIsoDate('2000-02-29'), true);
    assert.equal(isIsoDate('1900-02-29'), false);
    assert.equal(isIsoOffsetDateTime('2019-02-01T01:01Z'), true);
    assert.equal(isIsoOffsetDateTime('2019-02-01T25:01Z'), false);
    assert.equal(isIpOrCidr('2001:db8::/32'), true);
    assert.equal(isIpOrCidr('2001:db8::/129'), false);
    assert.equal(isIpOrCidr('256.0.0.1'), false);
  });
});
