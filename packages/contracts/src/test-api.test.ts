import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from 'typebox/value';
import { StreamedFeatureUpdateSchema } from './cache-management.ts';
import { fromStreamedFeatureUpdate, type TestFeatureUpdate, toStreamedFeatureUpdate } from './test-api.ts';

function update(overrides: Partial<TestFeatureUpdate> = {}): TestFeatureUpdate {
  return {
    environmentId: 'env',
    apiKey: 'server-key',
    serviceAccountId: 'sa',
    organizationId: 'org',
    portfolioId: 'portfolio',
    applicationId: 'app',
    featureId: 'feature',
    featureKey: 'FEATURE',
    lock: undefined,
    updateValue: true,
    value: 'blue',
    request: { value: 'blue', updateValue: true },
    ...overrides,
  };
}

describe('test-API updates on the bus', () => {
  it('travel as a valid StreamedFeatureUpdate with the value in the property of its type', () => {
    for (const value of [true, 12.5, 'blue', null]) {
      const streamed = toStreamedFeatureUpdate(update({ value }));
      assert.ok(Value.Check(StreamedFeatureUpdateSchema, streamed));
      assert.equal(streamed.updatingValue, true);
      assert.deepEqual(
        [streamed.valueBoolean, streamed.valueNumber, streamed.valueString],
        [
          typeof value === 'boolean' ? value : undefined,
          typeof value === 'number' ? value : undefined,
          typeof value === 'string' ? value : undefined,
        ],
      );
    }
  });

  it('read back as the update that was sent, the SDK body rebuilt from what travelled', () => {
    for (const sent of [
      update(),
      update({ value: false, request: { value: false, updateValue: true } }),
      update({ value: null, request: { value: null, updateValue: true } }),
      update({ lock: true, updateValue: false, value: null, request: { lock: true } }),
      update({ lock: false, value: 3, request: { value: 3, updateValue: true, lock: false } }),
    ]) {
      assert.deepEqual(fromStreamedFeatureUpdate(toStreamedFeatureUpdate(sent)), sent);
    }
  });

  it('leave ids an upstream Edge does not send empty', () => {
    const read = fromStreamedFeatureUpdate({ apiKey: 'k', environmentId: 'e', featureKey: 'F', lock: true });
    assert.deepEqual(
      [read.serviceAccountId, read.featureId, read.portfolioId, read.updateValue, read.lock, read.request],
      ['', '', '', false, true, { lock: true }],
    );
  });
});
