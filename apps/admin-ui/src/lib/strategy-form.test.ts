import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  emptyStrategy,
  formatPercentage,
  formToStrategy,
  hasProblems,
  moveItem,
  newRule,
  parsePercentage,
  percentageTotalProblem,
  type StrategyForm,
  strategyToForm,
  validateStrategy,
  valueProblem,
} from './strategy-form.ts';

function form(over: Partial<StrategyForm>): StrategyForm {
  return { ...emptyStrategy('BOOLEAN'), name: 's', ...over };
}

describe('percentages', () => {
  it('turns percent text into the four-decimal wire integer and back', () => {
    assert.deepEqual(parsePercentage('12.5'), { ok: true, value: 125000 });
    assert.deepEqual(parsePercentage('0.0001'), { ok: true, value: 1 });
    assert.deepEqual(parsePercentage('100'), { ok: true, value: 1_000_000 });
    assert.deepEqual(parsePercentage(' 20 % '), { ok: true, value: 200000 });
    assert.deepEqual(parsePercentage(''), { ok: true, value: undefined });
    assert.equal(formatPercentage(125000), '12.5');
    assert.equal(formatPercentage(1), '0.0001');
    assert.equal(formatPercentage(1_000_000), '100');
  });

  it('rejects more than four decimals, negatives, over 100% and words', () => {
    assert.match(String((parsePercentage('1.23456') as { error: string }).error), /four decimals/);
    assert.match(String((parsePercentage('-1') as { error: string }).error), /negative/);
    assert.match(String((parsePercentage('100.01') as { error: string }).error), /over 100%/);
    assert.equal(parsePercentage('ten').ok, false);
  });

  it('flags percentage-only strategies adding up to over 100%, ignoring ones with rules', () => {
    const rule = {
      conditional: 'EQUALS' as const,
      fieldName: 'country',
      type: 'STRING' as const,
      values: ['france'],
    };
    assert.equal(percentageTotalProblem([{ percentage: 600000 }, { percentage: 400000 }]), undefined);
    assert.match(String(percentageTotalProblem([{ percentage: 600000 }, { percentage: 500000 }])), /110%/);
    assert.equal(
      percentageTotalProblem([{ percentage: 600000 }, { percentage: 500000, attributes: [rule] }]),
      undefined,
    );
  });
});

describe('validateStrategy', () => {
  it('needs a name and some way to match', () => {
    const p = validateStrategy(form({ name: ' ' }), { valueType: 'BOOLEAN', requireValue: true });
    assert.equal(p.name, 'Give the strategy a name.');
    assert.match(String(p.general), /never matches/);
  });

  it('accepts a named percentage strategy with a boolean value', () => {
    const p = validateStrategy(form({ percentage: '20' }), { valueType: 'BOOLEAN', requireValue: true });
    assert.equal(hasProblems(p), false);
  });

  it('checks rule values against their type', () => {
    const version = { ...newRule('version'), values: ['1.2'] };
    const country = { ...newRule('country'), values: ['atlantis'] };
    const custom = { ...newRule('custom'), fieldName: 'age', type: 'NUMBER' as const, values: ['12', 'x'] };
    const empty = { ...newRule('userkey'), values: [] };
    const p = validateStrategy(form({ rules: [version, country, custom, empty] }), { requireValue: false });
    assert.match(String(p.rules[0]), /semantic version/);
    assert.match(String(p.rules[1]), /not one of the allowed values/);
    assert.match(String(p.rules[2]), /"x" is not a number/);
    assert.equal(p.rules[3], 'Add at least one value.');
  });

  it('needs a custom rule to name its attribute', () => {
    const p = validateStrategy(form({ rules: [{ ...newRule('custom'), values: ['a'] }] }), {
      requireValue: false,
    });
    assert.match(String(p.rules[0]), /attribute name/);
  });

  it('rejects a broken regular expression', () => {
    const r = { ...newRule('userkey'), conditional: 'REGEX' as const, values: ['(abc'] };
    assert.match(
      String(validateStrategy(form({ rules: [r] }), { requireValue: false }).rules[0]),
      /regular expression/,
    );
  });

  it('checks the served value against the feature type', () => {
    assert.match(
      String(
        validateStrategy(form({ percentage: '5', value: '{bad' }), { valueType: 'JSON', requireValue: true })
          .value,
      ),
      /not valid JSON/,
    );
    assert.match(
      String(
        validateStrategy(form({ percentage: '5', value: null }), { valueType: 'BOOLEAN', requireValue: true })
          .value,
      ),
      /on or off/,
    );
  });
});

describe('valueProblem', () => {
  it('knows dates, date-times, IP ranges and booleans', () => {
    assert.equal(valueProblem('DATE', '2025-01-31'), undefined);
    assert.notEqual(valueProblem('DATE', '31/01/2025'), undefined);
    assert.equal(valueProblem('DATETIME', '2025-01-31T09:00:00Z'), undefined);
    assert.equal(valueProblem('DATETIME', '2025-01-31T09:00:00.123+01:00'), undefined);
    assert.notEqual(valueProblem('DATETIME', '2025-01-31'), undefined);
    assert.equal(valueProblem('IP_ADDRESS', '10.0.0.0/8'), undefined);
    assert.equal(valueProblem('IP_ADDRESS', '2001:db8::/32'), undefined);
    assert.notEqual(valueProblem('IP_ADDRESS', '300.1.1.1'), undefined);
    assert.notEqual(valueProblem('IP_ADDRESS', '10.0.0.0/33'), undefined);
    assert.equal(valueProblem('BOOLEAN', 'TRUE'), undefined);
    assert.equal(valueProblem('SEMANTIC_VERSION', '1.2.3-beta.1+build.5'), undefined);
  });
});

describe('form ↔ wire', () => {
  it('round-trips a strategy, keeping ids and typing number values', () => {
    const wire = {
      id: 'ab12',
      name: 'Beta',
      percentage: 125000,
      percentageAttributes: ['company'],
      colouring: 3,
      value: 'blue',
      attributes: [
        {
          id: 'r1',
          conditional: 'EQUALS' as const,
          fieldName: 'country',
          type: 'STRING' as const,
          values: ['france'],
        },
        { conditional: 'GREATER' as const, fieldName: 'age', type: 'NUMBER' as const, values: [18] },
      ],
    };
    const f = strategyToForm(wire);
    assert.equal(f.percentage, '12.5');
    assert.equal(f.rules[0]?.kind, 'country');
    assert.equal(f.rules[1]?.kind, 'custom');
    assert.deepEqual(formToStrategy(f, true), wire);
  });

  it('leaves out the value for application strategies and empty optional parts', () => {
    const s = formToStrategy(
      { ...emptyStrategy('STRING'), name: ' x ', rules: [{ ...newRule('device'), values: ['mobile', ' '] }] },
      false,
    );
    assert.deepEqual(s, {
      name: 'x',
      attributes: [{ conditional: 'EQUALS', fieldName: 'device', type: 'STRING', values: ['mobile'] }],
    });
  });
});

describe('moveItem', () => {
  it('moves one entry and ignores moves off the ends', () => {
    assert.deepEqual(moveItem(['a', 'b', 'c'], 2, 0), ['c', 'a', 'b']);
    assert.deepEqual(moveItem(['a', 'b'], 0, 5), ['a', 'b']);
  });
});
