import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultValueOf,
  displayValue,
  featureKeyProblem,
  formatJson,
  isSet,
  jsonProblem,
  parseNumberInput,
  suggestKey,
  withDefaultValue,
} from './feature-value.ts';

describe('feature values', () => {
  it('reads the typed field for each type', () => {
    assert.equal(defaultValueOf({ key: 'k', locked: false, valueBoolean: true }, 'BOOLEAN'), true);
    assert.equal(defaultValueOf({ key: 'k', locked: false }, 'BOOLEAN'), false);
    assert.equal(defaultValueOf({ key: 'k', locked: false, valueNumber: 0 }, 'NUMBER'), 0);
    assert.equal(defaultValueOf({ key: 'k', locked: false, value: '12.5' }, 'NUMBER'), 12.5);
    assert.equal(defaultValueOf({ key: 'k', locked: false, valueString: 'x' }, 'STRING'), 'x');
    assert.equal(defaultValueOf({ key: 'k', locked: false, valueJson: '{"a":1}' }, 'JSON'), '{"a":1}');
    assert.equal(defaultValueOf(undefined, 'STRING'), null);
  });

  it('writes only the field the MR reads for the type', () => {
    const fv = withDefaultValue(
      { key: 'k', locked: true, value: 'old', valueString: 'old', version: 3 },
      'NUMBER',
      7,
    );
    assert.deepEqual(fv, { key: 'k', locked: true, version: 3, valueNumber: 7 });
    assert.deepEqual(withDefaultValue({ key: 'k', locked: false }, 'JSON', '  '), {
      key: 'k',
      locked: false,
      valueJson: null,
    });
  });

  it('calls a missing or empty non-boolean value not set', () => {
    assert.equal(isSet(undefined, 'BOOLEAN'), false);
    assert.equal(isSet({ key: 'k', locked: false }, 'BOOLEAN'), true);
    assert.equal(isSet({ key: 'k', locked: false, valueString: '' }, 'STRING'), false);
    assert.equal(displayValue('STRING', null), 'not set');
    assert.equal(displayValue('BOOLEAN', true), 'On');
    assert.equal(displayValue('JSON', '{ "a" : 1 }'), '{"a":1}');
    assert.equal(displayValue('STRING', 'abcdefghij', 5), 'abcd…');
  });

  it('parses number fields, telling empty from invalid', () => {
    assert.equal(parseNumberInput(' 3.5 '), 3.5);
    assert.equal(parseNumberInput(''), null);
    assert.equal(parseNumberInput('3x'), undefined);
  });

  it('validates and pretty-prints JSON', () => {
    assert.equal(jsonProblem('{"a": [1, 2]}'), undefined);
    assert.match(String(jsonProblem('{"a": }')), /^This is not valid JSON/);
    assert.equal(formatJson('{"a":1}'), '{\n  "a": 1\n}');
    assert.equal(formatJson('{bad'), '{bad');
  });

  it('checks keys and suggests one from a name', () => {
    assert.equal(featureKeyProblem('has space'), 'A key cannot contain spaces.');
    assert.equal(featureKeyProblem('OK_KEY'), undefined);
    assert.equal(suggestKey(' New checkout page! '), 'NEW_CHECKOUT_PAGE');
  });
});
