import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheFeature } from '@fh/dacha/testing';
import { parseApiKey } from './api-key.ts';
import { isFeatureVisible, serialiseFeatures, toFeatureState } from './feature-state.ts';

const client = { clientEvaluated: true, extendedData: false, filters: [] };
const server = { clientEvaluated: false, extendedData: false, filters: [] };

describe('FeatureState for SDKs', () => {
  it('types values for the wire even when they are stored loosely', () => {
    const stored = [
      cacheFeature({ id: 'a', key: 'A', type: 'BOOLEAN', value: 'true' }),
      cacheFeature({ id: 'b', key: 'B', type: 'NUMBER', value: '12.5' }),
      cacheFeature({ id: 'c', key: 'C', type: 'JSON', value: '{"x":1}' }),
      cacheFeature({ id: 'd', key: 'D', type: 'STRING', value: 'text' }),
    ];
    assert.deepEqual(
      stored.map((f) => toFeatureState(f, client, {}).value),
      [true, 12.5, '{"x":1}', 'text'],
    );
  });

  it('writes l and version (false/0) and no value for a feature without a value record', () => {
    const state = toFeatureState(cacheFeature({ id: 'u', key: 'U', type: 'STRING' }), client, {});
    assert.deepEqual(state, { id: 'u', key: 'U', l: false, version: 0, type: 'STRING', strategies: [] });
  });

  it('gives client keys every strategy with an integer percentage and server keys none, with v', () => {
    const f = cacheFeature({
      id: 'feature-1',
      key: 'COLOUR',
      type: 'STRING',
      value: 'red',
      strategies: [
        {
          id: 's1',
          value: 'nz',
          attributes: [
            { conditional: 'EQUALS', fieldName: 'country', type: 'STRING', values: ['new_zealand'] },
          ],
        },
      ],
    });
    assert.equal(toFeatureState(f, client, {}).strategies?.[0]?.percentage, 0);
    const evaluated = toFeatureState(f, server, { country: ['new_zealand'] });
    assert.deepEqual(evaluated, {
      id: 'feature-1',
      key: 'COLOUR',
      l: false,
      version: 1,
      type: 'STRING',
      value: 'nz',
      v: 's1',
    });
  });

  it('leaves out the values of a rule that has none, so SDK 1.4.0 passes EQUALS on a missing attribute as Edge does', () => {
    const f = cacheFeature({
      id: 'feature-1',
      key: 'COLOUR',
      type: 'STRING',
      value: 'red',
      strategies: [
        {
          id: 'no-country',
          value: 'none',
          attributes: [{ conditional: 'EQUALS', fieldName: 'country', type: 'STRING', values: null }],
        },
      ],
    });
    const sent = toFeatureState(f, client, {}).strategies?.[0]?.attributes?.[0];
    assert.ok(sent !== undefined && sent !== null);
    assert.equal('values' in sent, false);
    // 1.4.0 skips a rule without values when the attribute is missing (found by differential.int.test.ts)
    assert.equal(toFeatureState(f, server, { userkey: ['u'] }).value, 'none');
  });

  it('sends feature properties only with EXTENDED_DATA', () => {
    const f = cacheFeature({ id: 'p', key: 'P', type: 'BOOLEAN', value: true, fp: { owner: 'team-a' } });
    assert.equal(toFeatureState(f, client, {}).fp, undefined);
    assert.deepEqual(toFeatureState(f, { ...client, extendedData: true }, {}).fp, { owner: 'team-a' });
  });

  it('applies service-account filters: an account with filters only sees features that carry one', () => {
    const tagged = cacheFeature({ id: 't', key: 'T', type: 'BOOLEAN', value: true, filters: ['mobile'] });
    const untagged = cacheFeature({ id: 'u', key: 'U', type: 'BOOLEAN', value: true });
    assert.equal(isFeatureVisible(untagged, []), true);
    assert.equal(isFeatureVisible(tagged, ['mobile']), true);
    assert.equal(isFeatureVisible(untagged, ['mobile']), false);
    const memo = new Map<string, string>();
    const env = {
      features: [tagged, untagged],
      payloads: { get: (k: string) => memo.get(k), set: (k: string, v: string) => void memo.set(k, v) },
    };
    const json = serialiseFeatures(env, { ...client, filters: ['mobile'] }, {});
    assert.deepEqual(
      (JSON.parse(json) as { key: string }[]).map((s) => s.key),
      ['T'],
    );
  });

  it('keeps a server-evaluated list only when there is no context and no rule reads the clock', () => {
    const memo = new Map<string, string>();
    const env = (features: ReturnType<typeof cacheFeature>[]) => ({
      features,
      payloads: { get: (k: string) => memo.get(k), set: (k: string, v: string) => void memo.set(k, v) },
    });
    const plain = cacheFeature({ id: 'p', key: 'P', type: 'BOOLEAN', value: true });
    serialiseFeatures(env([plain]), server, { userkey: ['fred'] });
    assert.equal(memo.size, 0);
    const kept = serialiseFeatures(env([plain]), server, {});
    assert.equal(memo.get('server||'), kept);

    memo.clear();
    const timed = cacheFeature({
      id: 't',
      key: 'T',
      type: 'BOOLEAN',
      value: false,
      strategies: [
        {
          id: 'after',
          value: true,
          attributes: [{ conditional: 'GREATER', fieldName: 'now', type: 'DATE', values: ['2000-01-01'] }],
        },
      ],
    });
    serialiseFeatures(env([timed]), server, {});
    assert.equal(memo.size, 0);
  });
});

describe('API keys', () => {
  it('parses the 2- and 3-part forms and tells client-evaluated keys by their *', () => {
    const env = '11111111-2222-4333-8444-555555555555';
    assert.deepEqual(parseApiKey(`${env}/abc*def`), {
      cacheName: 'default',
      environmentId: env,
      serviceKey: 'abc*def',
      clientEvaluated: true,
    });
    assert.equal(parseApiKey(`default/${env}/abc`)?.clientEvaluated, false);
    for (const bad of ['', 'abc', `${env}/`, 'nope/abc', `a/b/${env}/k`, `${env}/with space`]) {
      assert.equal(parseApiKey(bad), undefined, bad);
    }
  });
});
