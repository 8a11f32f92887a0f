import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RolloutStrategyAttributeConditional, RolloutStrategyFieldType } from '@fh/contracts';
import { matchesCondition, sdk140Divergences } from './index.ts';

type Vector = readonly [
  type: RolloutStrategyFieldType,
  conditional: RolloutStrategyAttributeConditional,
  values: readonly unknown[],
  supplied: string,
  expected: boolean,
  /** What SDK 1.4.0 gives when it differs from the documented / Java result ('throws' if it throws). */
  sdk140?: boolean | 'throws',
];

function runVectors(vectors: readonly Vector[]) {
  for (const [type, conditional, values, supplied, expected, sdk] of vectors) {
    const note = sdk === undefined ? '' : ` (SDK 1.4.0: ${sdk})`;
    it(`${type} ${supplied} ${conditional} ${JSON.stringify(values)} → ${expected}${note}`, () => {
      assert.equal(matchesCondition(type, conditional, supplied, values), expected);
    });
  }
}

const DATES = ['2019-01-01', '2019-02-01'];
const DATETIMES = ['2019-01-01T01:01:01Z', '2019-02-01T01:01:01Z'];
const IPS = ['192.168.86.75', '10.7.4.8'];

// SDK 1.4.0 matcher vectors (docs/edge-protocol.md §6.4; upstream strategy_matching_spec.ts). Where the
// documented / Java semantics give another answer, `expected` is the documented one and the SDK's
// answer is recorded as the sixth column.
const sdkVectors: readonly Vector[] = [
  // BOOLEAN
  ['BOOLEAN', 'EQUALS', ['true'], 'true', true],
  ['BOOLEAN', 'NOT_EQUALS', ['true'], 'true', false],
  ['BOOLEAN', 'NOT_EQUALS', ['true'], 'false', true],
  ['BOOLEAN', 'EQUALS', [true], 'true', true],
  ['BOOLEAN', 'EQUALS', ['true'], 'false', false],
  ['BOOLEAN', 'EQUALS', [false], 'false', true],
  ['BOOLEAN', 'EQUALS', [false], 'true', false],
  // STRING
  ['STRING', 'EQUALS', ['a', 'b'], 'a', true],
  ['STRING', 'INCLUDES', ['a', 'b'], 'a', true],
  ['STRING', 'NOT_EQUALS', ['a', 'b'], 'a', true, false],
  ['STRING', 'EXCLUDES', ['a', 'b'], 'a', false],
  ['STRING', 'EXCLUDES', ['a', 'b'], 'c', true],
  ['STRING', 'GREATER', ['a', 'b'], 'a', false],
  ['STRING', 'GREATER_EQUALS', ['a', 'b'], 'a', true],
  ['STRING', 'GREATER', ['a', 'b'], 'c', true],
  ['STRING', 'LESS', ['a', 'b'], 'a', true],
  ['STRING', 'LESS', ['a', 'b'], '1', true],
  ['STRING', 'LESS', ['a', 'b'], 'b', false],
  ['STRING', 'LESS', ['a', 'b'], 'c', false],
  ['STRING', 'LESS_EQUALS', ['a', 'b'], 'a', true],
  ['STRING', 'LESS_EQUALS', ['a', 'b'], 'b', true],
  ['STRING', 'LESS_EQUALS', ['a', 'b'], '1', true],
  ['STRING', 'LESS_EQUALS', ['a', 'b'], 'c', false],
  ['STRING', 'STARTS_WITH', ['fr'], 'fred', true],
  ['STRING', 'STARTS_WITH', ['fr'], 'mar', false],
  ['STRING', 'ENDS_WITH', ['ed'], 'fred', true],
  ['STRING', 'ENDS_WITH', ['fred'], 'mar', false],
  ['STRING', 'REGEX', ['(.*)gold(.*)'], 'actapus (gold)', true],
  ['STRING', 'REGEX', ['(.*)gold(.*)'], '(.*)purple(.*)', false],
  // SEMANTIC_VERSION
  ['SEMANTIC_VERSION', 'EQUALS', ['2.0.3'], '2.0.3', true],
  ['SEMANTIC_VERSION', 'EQUALS', ['2.0.3', '2.0.1'], '2.0.3', true],
  ['SEMANTIC_VERSION', 'EQUALS', ['2.0.3'], '2.0.1', false],
  ['SEMANTIC_VERSION', 'NOT_EQUALS', ['2.0.3'], '2.0.1', true],
  ['SEMANTIC_VERSION', 'NOT_EQUALS', ['2.0.3'], '2.0.3', false],
  ['SEMANTIC_VERSION', 'GREATER', ['2.0.0'], '2.1.0', true],
  ['SEMANTIC_VERSION', 'GREATER', ['2.0.0'], '2.0.1', true],
  ['SEMANTIC_VERSION', 'GREATER', ['2.0.0'], '1.2.1', false],
  ['SEMANTIC_VERSION', 'GREATER_EQUALS', ['7.1.0'], '7.1.6', true],
  ['SEMANTIC_VERSION', 'GREATER_EQUALS', ['7.1.6'], '7.1.6', true],
  ['SEMANTIC_VERSION', 'GREATER_EQUALS', ['7.1.6'], '7.1.2', false],
  ['SEMANTIC_VERSION', 'LESS', ['2.0.0'], '1.1.0', true],
  ['SEMANTIC_VERSION', 'LESS', ['2.0.0'], '1.0.1', true],
  ['SEMANTIC_VERSION', 'LESS', ['2.0.0'], '1.9.9', true],
  ['SEMANTIC_VERSION', 'LESS', ['2.0.0'], '3.2.1', false],
  ['SEMANTIC_VERSION', 'LESS_EQUALS', ['7.1.0'], '7.0.6', true],
  ['SEMANTIC_VERSION', 'LESS_EQUALS', ['7.1.6'], '7.1.2', true],
  ['SEMANTIC_VERSION', 'LESS_EQUALS', ['7.1.2'], '7.1.6', false],
  // IP_ADDRESS
  ['IP_ADDRESS', 'EQUALS', ['192.168.86.75'], '192.168.86.75', true],
  ['IP_ADDRESS', 'EQUALS', IPS, '192.168.86.75', true],
  ['IP_ADDRESS', 'EQUALS', IPS, '192.168.83.75', false],
  ['IP_ADDRESS', 'EXCLUDES', IPS, '192.168.83.75', true],
  ['IP_ADDRESS', 'EXCLUDES', IPS, '192.168.86.75', false],
  ['IP_ADDRESS', 'INCLUDES', IPS, '192.168.86.75', true],
  ['IP_ADDRESS', 'NOT_EQUALS', ['192.168.86.75'], '192.168.86.75', false],
  ['IP_ADDRESS', 'NOT_EQUALS', ['192.168.86.75'], '192.168.86.72', true],
  ['IP_ADDRESS', 'EQUALS', ['192.168.0.0/16'], '192.168.86.72', true],
  ['IP_ADDRESS', 'EQUALS', ['192.168.0.0/16'], '192.162.86.72', false],
  ['IP_ADDRESS', 'EQUALS', ['10.0.0.0/24', '192.168.0.0/16'], '192.168.86.72', true],
  ['IP_ADDRESS', 'EQUALS', ['10.0.0.0/24', '192.168.0.0/16'], '172.168.86.72', false],
  // DATE
  ['DATE', 'EQUALS', DATES, '2019-02-01', true],
  ['DATE', 'INCLUDES', DATES, '2019-02-01', true],
  ['DATE', 'NOT_EQUALS', DATES, '2019-02-01', false],
  ['DATE', 'EXCLUDES', DATES, '2019-02-01', false],
  ['DATE', 'EQUALS', DATES, '2019-02-07', false],
  ['DATE', 'INCLUDES', DATES, '2019-02-07', false],
  ['DATE', 'NOT_EQUALS', DATES, '2019-02-07', true],
  ['DATE', 'EXCLUDES', DATES, '2019-02-07', true],
  ['DATE', 'GREATER', DATES, '2019-02-07', true],
  ['DATE', 'GREATER_EQUALS', DATES, '2019-02-07', true],
  ['DATE', 'GREATER_EQUALS', DATES, '2019-02-01', true],
  ['DATE', 'LESS', DATES, '2017-02-01', true],
  ['DATE', 'LESS', DATES, '2019-02-01', false],
  ['DATE', 'LESS_EQUALS', DATES, '2019-02-01', true],
  ['DATE', 'LESS_EQUALS', DATES, '2019-03-01', false],
  ['DATE', 'REGEX', ['2019-.*'], '2019-03-01', true],
  ['DATE', 'REGEX', ['2019-.*'], '2017-03-01', false],
  ['DATE', 'REGEX', ['2019-.*', '(.*)-03-(.*)'], '2017-03-01', true],
  ['DATE', 'STARTS_WITH', ['2019', '2017'], '2019-02-07', true],
  ['DATE', 'STARTS_WITH', ['2019'], '2017-02-07', false],
  ['DATE', 'ENDS_WITH', ['01'], '2017-02-01', true],
  ['DATE', 'ENDS_WITH', ['03', '02', '2017'], '2017-02-01', false],
  // NUMBER, supplied 5
  ['NUMBER', 'EQUALS', [10, 5], '5', true],
  ['NUMBER', 'EQUALS', [5], '5', true],
  ['NUMBER', 'EQUALS', [4], '5', false],
  ['NUMBER', 'EQUALS', [4, 7], '5', false],
  ['NUMBER', 'INCLUDES', [4, 7], '5', false],
  ['NUMBER', 'NOT_EQUALS', [23, 100923], '5', true],
  ['NUMBER', 'EXCLUDES', [23, 100923], '5', true],
  ['NUMBER', 'NOT_EQUALS', [5], '5', false],
  ['NUMBER', 'GREATER', [2, 4], '5', true],
  ['NUMBER', 'GREATER', [7, 10], '5', false],
  ['NUMBER', 'GREATER_EQUALS', [2, 5], '5', true],
  ['NUMBER', 'GREATER_EQUALS', [4, 5], '5', true],
  ['NUMBER', 'GREATER_EQUALS', [6, 7], '5', false],
  ['NUMBER', 'LESS_EQUALS', [2, 5], '5', true],
  ['NUMBER', 'LESS_EQUALS', [2, 3], '5', false],
  ['NUMBER', 'LESS', [8, 7], '5', true],
  ['NUMBER', 'LESS', [1, -1], '5', false],
  // DATETIME
  ['DATETIME', 'EQUALS', DATETIMES, '2019-02-01T01:01:01Z', true],
  ['DATETIME', 'INCLUDES', DATETIMES, '2019-02-01T01:01:01Z', true],
  ['DATETIME', 'NOT_EQUALS', DATETIMES, '2019-02-01T01:01:01Z', false],
  ['DATETIME', 'EXCLUDES', DATETIMES, '2019-02-01T01:01:01Z', false],
  ['DATETIME', 'EQUALS', DATETIMES, '2017-02-01T01:01:01Z', false],
  ['DATETIME', 'INCLUDES', DATETIMES, '2017-02-01T01:01:01Z', false],
  ['DATETIME', 'NOT_EQUALS', DATETIMES, '2017-02-01T01:01:01Z', true],
  ['DATETIME', 'EXCLUDES', DATETIMES, '2017-02-01T01:01:01Z', true],
  ['DATETIME', 'LESS', DATETIMES, '2016-02-01T01:01:01Z', true],
  ['DATETIME', 'LESS', DATETIMES, '2020-02-01T01:01:01Z', false],
  ['DATETIME', 'LESS_EQUALS', DATETIMES, '2019-02-01T01:01:01Z', true],
  ['DATETIME', 'LESS_EQUALS', DATETIMES, '2020-02-01T01:01:01Z', false],
  ['DATETIME', 'REGEX', ['2019-.*'], '2019-07-06T01:01:01Z', true],
  ['DATETIME', 'REGEX', ['2019-.*'], '2016-07-06T01:01:01Z', false],
  ['DATETIME', 'REGEX', ['2019-.*', '(.*)-03-(.*)'], '2019-07-06T01:01:01Z', true],
  ['DATETIME', 'REGEX', ['2019-.*', '(.*)-03-(.*)'], '2014-03-06T01:01:01Z', true],
  ['DATETIME', 'STARTS_WITH', ['2019', '2017'], '2017-03-06T01:01:01Z', true],
  ['DATETIME', 'STARTS_WITH', ['2019'], '2017-03-06T01:01:01Z', false],
  ['DATETIME', 'ENDS_WITH', [':01Z'], '2017-03-06T01:01:01Z', true],
  ['DATETIME', 'ENDS_WITH', ['03', '2017', '01:01'], '2017-03-06T01:01:01Z', false],
  ['DATETIME', 'ENDS_WITH', ['rubbish'], '2017-03-06T01:01:01Z', false],
];

// Java-only vectors (upstream Spock specs) that add something beyond the SDK ones.
const javaVectors: readonly Vector[] = [
  ['STRING', 'EQUALS', ['android'], 'Android', false],
  ['STRING', 'NOT_EQUALS', ['android'], 'Android', true],
  ['STRING', 'EXCLUDES', ['Android', 'ios'], 'Windows', true],
  ['STRING', 'GREATER_EQUALS', ['cream', 'zebras'], 'peaches', true],
  ['STRING', 'LESS', ['aardvark', 'aardshark'], 'actapus (gold)', false],
  [
    'DATETIME',
    'GREATER',
    ['2019-02-01T01:01:01Z', '2019-02-01T01:01:01-00:30'],
    '2019-02-01T01:01:01-01:00',
    true,
  ],
  ['IP_ADDRESS', 'EQUALS', ['192.168.086.075'], '192.168.86.75', true, 'throws'],
  ['SEMANTIC_VERSION', 'GREATER', ['2.0'], '2.1', true],
  ['SEMANTIC_VERSION', 'GREATER', ['7.0'], '7.1.6', true],
  ...(
    [
      'ENDS_WITH',
      'STARTS_WITH',
      'GREATER',
      'GREATER_EQUALS',
      'LESS',
      'LESS_EQUALS',
      'INCLUDES',
      'EXCLUDES',
      'REGEX',
    ] as const
  ).map((c): Vector => ['BOOLEAN', c, [true], 'true', false]),
];

// Divergence vectors from running 1.4.0: `expected` is the documented / Java answer.
const divergenceVectors: readonly Vector[] = [
  ['STRING', 'NOT_EQUALS', ['a', 'b'], 'a', true, false],
  ['STRING', 'REGEX', ['gold'], 'actapus (gold)', false, true],
  ['NUMBER', 'EQUALS', [5.5], '5', false, true],
  ['NUMBER', 'EQUALS', [5], '5.0', true],
  ['NUMBER', 'LESS', ['10'], '9', false, true],
  ['SEMANTIC_VERSION', 'EQUALS', ['2.0'], '2.0.0', true, false],
  ['SEMANTIC_VERSION', 'GREATER', ['1.0.0-beta'], '1.0.0', true],
  ['SEMANTIC_VERSION', 'EQUALS', ['1.0.0-beta'], '1.0.0', false],
  ['SEMANTIC_VERSION', 'NOT_EQUALS', ['2.0.3', '2.0.1'], '2.0.3', false, true],
  ['DATETIME', 'EQUALS', ['2019-02-01T01:01:01.000Z'], '2019-02-01T01:01:01Z', true, false],
  ['DATETIME', 'EQUALS', ['2019-02-01T02:01:01Z'], '2019-02-01T01:01:01-01:00', true],
  ['DATETIME', 'EQUALS', ['2019-02-01T01:01:01-01:00'], '2019-02-01T01:01:01-01:00', true, false],
  ['BOOLEAN', 'EQUALS', ['true'], 'TRUE', false],
  ['IP_ADDRESS', 'EQUALS', ['192.168.086.075'], '192.168.86.75', true, 'throws'],
  ['IP_ADDRESS', 'EQUALS', ['10.0.0.0/8'], 'not-an-ip', false, 'throws'],
];

describe('§6.4 SDK 1.4.0 matcher vectors', () => runVectors(sdkVectors));
describe('§6.4 Java-only matcher vectors', () => runVectors(javaVectors));
describe('§6.4 divergence vectors (documented / Java semantics)', () => runVectors(divergenceVectors));

describe('sdk140Divergences flags every vector where SDK 1.4.0 answers differently', () => {
  for (const [type, conditional, values, supplied, , sdk] of [
    ...sdkVectors,
    ...javaVectors,
    ...divergenceVectors,
  ]) {
    if (sdk === undefined) continue;
    it(`flags ${type} ${supplied} ${conditional} ${JSON.stringify(values)}`, () => {
      const feature = {
        id: 'f',
        type: 'BOOLEAN' as const,
        strategies: [
          { id: 's', attributes: [{ fieldName: 'x', type, conditional, values: [...values] }], value: true },
        ],
      };
      assert.notDeepEqual(sdk140Divergences(feature, { x: [supplied] }), []);
    });
  }
});
