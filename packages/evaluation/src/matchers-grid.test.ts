import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type RolloutStrategyAttribute,
  RolloutStrategyAttributeConditional,
  type RolloutStrategyFieldType,
} from '@fh/contracts';
import { matchAttribute, matchesCondition } from './index.ts';

type Conditional = RolloutStrategyAttributeConditional;
/** [conditional, values, a supplied value that matches (or null: none can), one that does not] */
type Row = readonly [Conditional, readonly unknown[], string | null, string];

const grid: Readonly<Record<RolloutStrategyFieldType, readonly Row[]>> = {
  STRING: [
    ['EQUALS', ['beta', 'gamma'], 'gamma', 'Beta'],
    ['ENDS_WITH', ['ta'], 'beta', 'betas'],
    ['STARTS_WITH', ['be'], 'beta', 'abeta'],
    ['GREATER', ['m'], 'z', 'a'],
    ['GREATER_EQUALS', ['m'], 'm', 'l'],
    ['LESS', ['m'], 'a', 'm'],
    ['LESS_EQUALS', ['m'], 'm', 'n'],
    ['NOT_EQUALS', ['beta'], 'gamma', 'beta'],
    ['INCLUDES', ['et'], 'beta', 'gamma'],
    ['EXCLUDES', ['et'], 'gamma', 'beta'],
    ['REGEX', ['b.*a'], 'beta', 'abeta'],
  ],
  NUMBER: [
    ['EQUALS', [5], '5.00', '5.01'],
    ['ENDS_WITH', [5], '15', '51'],
    ['STARTS_WITH', [1], '15', '51'],
    ['GREATER', [10], '10.5', '10'],
    ['GREATER_EQUALS', [10], '10', '9.999'],
    ['LESS', [0.1], '0.09', '0.1'],
    ['LESS_EQUALS', [-1], '-1', '-0.5'],
    ['NOT_EQUALS', [5], '6', '5.0'],
    ['INCLUDES', [4, 5], '5', '6'],
    ['EXCLUDES', [4, 5], '6', '4'],
    ['REGEX', ['\\d+'], '123', '12.5'],
  ],
  SEMANTIC_VERSION: [
    ['EQUALS', ['1.2.3'], '1.2.3', '1.2.4'],
    ['ENDS_WITH', ['3'], null, '1.2.3'],
    ['STARTS_WITH', ['1'], null, '1.2.3'],
    ['GREATER', ['1.2.3'], '1.10.0', '1.2.3'],
    ['GREATER_EQUALS', ['1.2.3'], '1.2.3', '1.2.2'],
    ['LESS', ['1.2.3'], '1.2.3-rc1', '1.2.3'],
    ['LESS_EQUALS', ['1.2.3'], '1.2', '1.3'],
    ['NOT_EQUALS', ['1.2.3'], '1.2.4', '1.2.3.0'],
    ['INCLUDES', ['1.0', '2.0'], '2', '3'],
    ['EXCLUDES', ['1.0', '2.0'], '3', '1.0.0'],
    ['REGEX', ['.*'], null, '1.2.3'],
  ],
  DATE: [
    ['EQUALS', ['2024-02-29'], '2024-02-29', '2024-03-01'],
    ['ENDS_WITH', ['-29'], '2024-02-29', '2024-02-28'],
    ['STARTS_WITH', ['2024'], '2024-02-29', '2023-02-28'],
    ['GREATER', ['2024-01-31'], '2024-02-01', '2024-01-31'],
    ['GREATER_EQUALS', ['2024-01-31'], '2024-01-31', '2024-01-30'],
    ['LESS', ['2024-01-31'], '2023-12-31', '2024-01-31'],
    ['LESS_EQUALS', ['2024-01-31'], '2024-01-31', '2024-02-01'],
    ['NOT_EQUALS', ['2024-01-01'], '2024-01-02', '2024-01-01'],
    ['INCLUDES', ['2024-01-01', '2024-06-01'], '2024-06-01', '2024-06-02'],
    ['EXCLUDES', ['2024-01-01', '2024-06-01'], '2024-06-02', '2024-06-01'],
    ['REGEX', ['2024-0[1-3]-.*'], '2024-02-01', '2024-04-01'],
  ],
  DATETIME: [
    ['EQUALS', ['2024-01-01T00:00:00Z'], '2024-01-01T01:00:00+01:00', '2024-01-01T00:00:00.001Z'],
    ['ENDS_WITH', ['+01:00'], '2024-01-01T01:00:00+01:00', '2024-01-01T00:00:00Z'],
    ['STARTS_WITH', ['2024-01'], '2024-01-01T01:00:00Z', '2024-02-01T00:00:00Z'],
    ['GREATER', ['2024-01-01T00:00:00.000000001Z'], '2024-01-01T00:00:00.000000002Z', '2024-01-01T00:00:00Z'],
    ['GREATER_EQUALS', ['2024-01-01T12:00:00Z'], '2024-01-01T13:00:00+01:00', '2024-01-01T12:59:59+01:00'],
    ['LESS', ['2024-01-01T00:00:00Z'], '2023-12-31T23:59:59Z', '2024-01-01T00:00:00Z'],
    ['LESS_EQUALS', ['2024-01-01T00:00:00Z'], '2024-01-01T00:00Z', '2024-01-01T00:00:01Z'],
    ['NOT_EQUALS', ['2024-01-01T00:00:00Z'], '2024-01-01T00:00:01Z', '2023-12-31T19:00:00-05:00'],
    [
      'INCLUDES',
      ['2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
      '2025-01-01T00:00:00Z',
      '2026-01-01T00:00:00Z',
    ],
    [
      'EXCLUDES',
      ['2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
      '2026-01-01T00:00:00Z',
      '2025-01-01T00:00:00Z',
    ],
    ['REGEX', ['2024-.*Z'], '2024-05-01T00:00:00Z', '2024-05-01T00:00:00+01:00'],
  ],
  BOOLEAN: [
    ['EQUALS', [true], 'true', 'false'],
    ['ENDS_WITH', [true], null, 'true'],
    ['STARTS_WITH', [true], null, 'true'],
    ['GREATER', [false], null, 'true'],
    ['GREATER_EQUALS', [true], null, 'true'],
    ['LESS', [true], null, 'false'],
    ['LESS_EQUALS', [true], null, 'true'],
    ['NOT_EQUALS', [true], 'false', 'true'],
    ['INCLUDES', [true], null, 'true'],
    ['EXCLUDES', [false], null, 'true'],
    ['REGEX', ['.*'], null, 'true'],
  ],
  IP_ADDRESS: [
    ['EQUALS', ['2001:db8::/32'], '2001:db8:1::5', '2001:db9::1'],
    ['ENDS_WITH', ['.1'], null, '10.0.0.1'],
    ['STARTS_WITH', ['10.'], null, '10.0.0.1'],
    ['GREATER', ['10.0.0.1'], null, '10.0.0.2'],
    ['GREATER_EQUALS', ['10.0.0.1'], null, '10.0.0.1'],
    ['LESS', ['10.0.0.1'], null, '10.0.0.0'],
    ['LESS_EQUALS', ['10.0.0.1'], null, '10.0.0.1'],
    ['NOT_EQUALS', ['10.0.0.0/8', 'fe80::/10'], '11.0.0.1', 'fe80::1'],
    ['INCLUDES', ['10.0.0.0/8', 'fe80::/10'], 'fe80::abcd', '2001:db8::1'],
    ['EXCLUDES', ['10.0.0.0/8'], '192.168.1.1', '10.200.3.4'],
    ['REGEX', ['.*'], null, '10.0.0.1'],
  ],
};

describe('every field type × conditional', () => {
  for (const [type, rows] of Object.entries(grid) as [RolloutStrategyFieldType, readonly Row[]][]) {
    it(`${type} covers all 11 conditionals`, () => {
      assert.deepEqual(
        rows.map((r) => r[0]).sort(),
        Object.values(RolloutStrategyAttributeConditional).sort(),
      );
    });
    for (const [conditional, values, yes, no] of rows) {
      if (yes === null) {
        it(`${type} ${conditional} never matches`, () => {
          assert.equal(matchesCondition(type, conditional, no, values), false);
        });
      } else {
        it(`${type} ${conditional} ${JSON.stringify(values)}: "${yes}" matches, "${no}" does not`, () => {
          assert.equal(matchesCondition(type, conditional, yes, values), true);
          assert.equal(matchesCondition(type, conditional, no, values), false);
        });
      }
    }
  }
});

describe('STRING details', () => {
  it('treats an invalid regex as no match instead of throwing', () => {
    assert.equal(matchesCondition('STRING', 'REGEX', 'abc', ['(']), false);
  });
  it('matches a regex alternation against the whole string', () => {
    assert.equal(matchesCondition('STRING', 'REGEX', 'ab', ['a|ab']), true);
    assert.equal(matchesCondition('STRING', 'REGEX', 'xab', ['a|ab']), false);
  });
  it('ignores null and object values, and compares numbers as text', () => {
    assert.equal(matchesCondition('STRING', 'EQUALS', 'x', [null, { a: 1 }]), false);
    assert.equal(matchesCondition('STRING', 'EQUALS', '5', [5]), true);
  });
  it('EXCLUDES with no values excludes nothing', () => {
    assert.equal(matchesCondition('STRING', 'EXCLUDES', 'x', []), true);
  });
});

describe('NUMBER details', () => {
  it('compares decimals exactly, not as floating point', () => {
    assert.equal(matchesCondition('NUMBER', 'GREATER', '0.30000000000000004', [0.3]), true);
    assert.equal(matchesCondition('NUMBER', 'EQUALS', '12345678901234567890', [12345678901234567000]), false);
    assert.equal(matchesCondition('NUMBER', 'EQUALS', '1e3', [1000]), true);
    assert.equal(matchesCondition('NUMBER', 'EQUALS', '-0', [0]), true);
  });
  it('never matches a non-numeric supplied value, whatever the conditional', () => {
    for (const c of Object.values(RolloutStrategyAttributeConditional)) {
      for (const s of ['abc', '', ' 5', '5abc', '0x10', 'NaN', 'Infinity']) {
        assert.equal(matchesCondition('NUMBER', c, s, [5]), false, `${c} ${s}`);
      }
    }
  });
  it('ignores string values in numeric comparisons, as the Java Edge does', () => {
    assert.equal(matchesCondition('NUMBER', 'EQUALS', '5', ['5']), false);
    assert.equal(matchesCondition('NUMBER', 'NOT_EQUALS', '5', ['5']), true);
  });
});

describe('SEMANTIC_VERSION details', () => {
  it('orders numerically and puts pre-releases before the release', () => {
    assert.equal(matchesCondition('SEMANTIC_VERSION', 'LESS', '1.0.0-alpha', ['1.0.0-beta']), true);
    assert.equal(matchesCondition('SEMANTIC_VERSION', 'LESS', '1.0.0-rc.1', ['1.0.0']), true);
    assert.equal(matchesCondition('SEMANTIC_VERSION', 'GREATER', '10.0.0', ['9.99.99']), true);
  });
  it('does not match a blank version', () => {
    assert.equal(matchesCondition('SEMANTIC_VERSION', 'NOT_EQUALS', '', ['1.0.0']), false);
    assert.equal(matchesCondition('SEMANTIC_VERSION', 'EQUALS', '  ', ['1.0.0']), false);
  });
});

describe('DATE and DATETIME details', () => {
  it('rejects impossible dates and date-times without an offset', () => {
    assert.equal(matchesCondition('DATE', 'NOT_EQUALS', '2019-02-30', ['2019-01-01']), false);
    assert.equal(matchesCondition('DATE', 'EQUALS', '2023-02-29', ['2023-02-29']), false);
    assert.equal(
      matchesCondition('DATETIME', 'NOT_EQUALS', '2024-01-01T00:00:00', ['2020-01-01T00:00:00Z']),
      false,
    );
    assert.equal(
      matchesCondition('DATETIME', 'EQUALS', '2024-01-01T24:00:00Z', ['2024-01-02T00:00:00Z']),
      false,
    );
  });
  it('does not read a date-time as a DATE (Java LocalDate semantics)', () => {
    assert.equal(matchesCondition('DATE', 'EQUALS', '2019-02-01T10:00:00Z', ['2019-02-01']), false);
  });
  it('skips unparsable values but still uses the good ones', () => {
    assert.equal(matchesCondition('DATE', 'EQUALS', '2019-02-01', ['garbage', '2019-02-01']), true);
    assert.equal(
      matchesCondition('DATETIME', 'EQUALS', '2019-02-01T00:00:00Z', [42, '2019-02-01T00:00:00Z']),
      true,
    );
  });
  it('accepts lower-case t and z and early years', () => {
    assert.equal(
      matchesCondition('DATETIME', 'EQUALS', '2024-01-01t00:00:00z', ['2024-01-01T00:00:00Z']),
      true,
    );
    assert.equal(
      matchesCondition('DATETIME', 'LESS', '0050-01-01T00:00:00Z', ['1950-01-01T00:00:00Z']),
      true,
    );
  });
});

describe('BOOLEAN details', () => {
  it('compares only the first value, accepting JSON booleans and "true"/"false" strings', () => {
    assert.equal(matchesCondition('BOOLEAN', 'EQUALS', 'false', [false, true]), true);
    assert.equal(matchesCondition('BOOLEAN', 'EQUALS', 'false', ['false']), true);
  });
  it('never matches without a value', () => {
    assert.equal(matchesCondition('BOOLEAN', 'EQUALS', 'false', []), false);
    assert.equal(matchesCondition('BOOLEAN', 'NOT_EQUALS', 'true', [null]), false);
  });
});

describe('IP_ADDRESS details', () => {
  it('matches IPv6 in all notations and IPv4-mapped addresses against IPv4 blocks', () => {
    assert.equal(matchesCondition('IP_ADDRESS', 'EQUALS', '0:0:0:0:0:0:0:1', ['::1']), true);
    assert.equal(matchesCondition('IP_ADDRESS', 'EQUALS', '::ffff:10.1.2.3', ['10.0.0.0/8']), true);
    assert.equal(matchesCondition('IP_ADDRESS', 'EQUALS', '10.1.2.3', ['::ffff:10.0.0.0/104']), true);
    assert.equal(matchesCondition('IP_ADDRESS', 'EQUALS', '10.0.0.1', ['::/0']), false);
    assert.equal(matchesCondition('IP_ADDRESS', 'EQUALS', '8.8.8.8', ['0.0.0.0/0']), true);
  });
  it('ignores masked host bits in a block and skips invalid values', () => {
    assert.equal(matchesCondition('IP_ADDRESS', 'EQUALS', '192.168.7.7', ['192.168.1.5/16']), true);
    assert.equal(matchesCondition('IP_ADDRESS', 'EQUALS', '10.0.0.1', ['junk', '10.0.0.1']), true);
  });
  it('never matches an invalid or CIDR supplied value, even for NOT_EQUALS', () => {
    for (const s of ['1.2.3.256', '1.2.3', '1:2:3:4:5:6:7:8:9', '1::2::3', '10.0.0.0/8', 'not-an-ip', '']) {
      assert.equal(matchesCondition('IP_ADDRESS', 'NOT_EQUALS', s, ['192.168.0.1']), false, s);
      assert.equal(matchesCondition('IP_ADDRESS', 'EQUALS', s, ['0.0.0.0/0', '::/0']), false, s);
    }
  });
});

describe('unknown types and conditionals', () => {
  it('never match and never throw', () => {
    assert.equal(matchesCondition('ENCRYPTED' as RolloutStrategyFieldType, 'EQUALS', 'a', ['a']), false);
    assert.equal(matchesCondition('STRING', 'LIKE' as Conditional, 'a', ['a']), false);
    assert.equal(matchesCondition('STRING', 'EQUALS', 'a', 'a' as unknown as string[]), false);
  });
});

const attr = (a: Partial<RolloutStrategyAttribute>): RolloutStrategyAttribute => ({
  fieldName: 'x',
  conditional: 'EQUALS',
  type: 'STRING',
  values: ['a'],
  ...a,
});

describe('matchAttribute: missing context values', () => {
  it('passes a missing attribute only for EQUALS with null values', () => {
    assert.equal(matchAttribute(attr({ values: null }), {}), true);
    assert.equal(matchAttribute(attr({ values: undefined }), {}), true);
    assert.equal(matchAttribute(attr({ values: null, conditional: 'NOT_EQUALS' }), {}), false);
    assert.equal(matchAttribute(attr({ values: [] }), {}), false);
    assert.equal(matchAttribute(attr({ values: ['a'], conditional: 'EXCLUDES' }), {}), false);
    assert.equal(matchAttribute(attr({}), undefined), false);
  });

  it('fails an attribute whose values are null when the context has it', () => {
    assert.equal(matchAttribute(attr({ values: null }), { x: ['a'] }), false);
  });
});

describe('matchAttribute: multi-value context attributes', () => {
  // Java ApplyFeatureSpec vectors.
  it('matches when any supplied value satisfies the rule', () => {
    const ctx = { warehouseId: ['ios', 'Android'] };
    assert.equal(matchAttribute(attr({ fieldName: 'warehouseId', values: ['Android'] }), ctx), true);
    assert.equal(matchAttribute(attr({ fieldName: 'warehouseId', values: ['linux'] }), ctx), false);
  });
});

describe('matchAttribute: the special now attribute', () => {
  const clock = { now: () => new Date('2024-06-15T12:00:00.123Z') };
  it('uses the clock for DATE and DATETIME rules when the context has no now', () => {
    assert.equal(
      matchAttribute(attr({ fieldName: 'now', type: 'DATE', values: ['2024-06-15'] }), {}, clock),
      true,
    );
    assert.equal(
      matchAttribute(
        attr({ fieldName: 'now', type: 'DATE', conditional: 'LESS', values: ['2024-06-15'] }),
        {},
        clock,
      ),
      false,
    );
    assert.equal(
      matchAttribute(
        attr({
          fieldName: 'now',
          type: 'DATETIME',
          conditional: 'GREATER',
          values: ['2024-06-15T12:00:00.122Z'],
        }),
        {},
        clock,
      ),
      true,
    );
  });
  it('prefers a now supplied by the context', () => {
    const a = attr({ fieldName: 'now', type: 'DATE', values: ['2020-01-01'] });
    assert.equal(matchAttribute(a, { now: ['2020-01-01'] }, clock), true);
  });
  it('treats now on other types as an ordinary missing attribute', () => {
    assert.equal(matchAttribute(attr({ fieldName: 'now', type: 'STRING', values: ['x'] }), {}, clock), false);
  });
  it('uses the real clock by default', () => {
    assert.equal(
      matchAttribute(
        attr({ fieldName: 'now', type: 'DATE', conditional: 'GREATER', values: ['2000-01-01'] }),
        {},
      ),
      true,
    );
  });
});

describe('matchAttribute: malformed attributes never throw', () => {
  for (const bad of [null, undefined, 42, {}, { fieldName: 3 }, { fieldName: 'x', type: 'STRING' }]) {
    it(`returns false for ${JSON.stringify(bad)}`, () => {
      assert.equal(matchAttribute(bad as unknown as RolloutStrategyAttribute, { x: ['a'] }), false);
    });
  }
  it('returns false when the clock is broken', () => {
    const broken = { now: () => new Date(Number.NaN) };
    assert.equal(matchAttribute(attr({ fieldName: 'now', type: 'DATE' }), {}, broken), false);
  });
});
