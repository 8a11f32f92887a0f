import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DachaCache } from './dacha-cache.ts';
import { answerEdgeRequest } from './edge-responder.ts';
import {
  cacheFeature,
  nextValue,
  publishEnvironment,
  publishFeature,
  publishServiceAccount,
} from './testing.ts';

const ENV = '11111111-2222-4333-8444-555555555555';
const colour = cacheFeature({ id: 'f-colour', key: 'COLOUR', type: 'STRING', value: 'red' });

function filled(ready = true): DachaCache {
  const cache = new DachaCache({ ready });
  cache.applyServiceAccount(
    publishServiceAccount({ id: 'sa', clientKey: 'c*k', serverKey: 's', permissions: { [ENV]: ['READ'] } }),
  );
  cache.applyEnvironment(publishEnvironment({ id: ENV, version: 3, features: [colour] }));
  cache.applyFeatureValues(publishFeature(ENV, nextValue(colour, { retired: true })));
  return cache;
}

describe('Dacha answering Edge', () => {
  it('sends retired features only when asked not to exclude them, with roles and the environment version', () => {
    const cache = filled();
    const all = answerEdgeRequest(cache, {
      featuresRequest: { eId: ENV, serviceAccountKey: 'c*k', excludeRetired: false },
    });
    assert.equal(all.status, 200);
    assert.equal(all.featuresResponse?.features?.length, 1);
    assert.deepEqual(all.featuresResponse?.roles, ['READ']);
    assert.equal(all.featuresResponse?.environmentVersion, 3);
    assert.equal(all.featuresResponse?.serviceKeyId, 'sa');
    const visible = answerEdgeRequest(cache, { featuresRequest: { eId: ENV, serviceAccountKey: 'c*k' } });
    assert.equal(visible.featuresResponse?.features?.length, 0);
  });

  it('answers 404, 503 and 400 like the REST API would', () => {
    assert.equal(
      answerEdgeRequest(filled(), { featuresRequest: { eId: ENV, serviceAccountKey: 'x' } }).status,
      404,
    );
    assert.equal(
      answerEdgeRequest(filled(false), { featuresRequest: { eId: ENV, serviceAccountKey: 'x' } }).status,
      503,
    );
    assert.equal(answerEdgeRequest(filled(), { nonsense: true }).status, 400);
    assert.equal(answerEdgeRequest(filled(), 'text').status, 400);
    const perm = answerEdgeRequest(filled(), {
      permissionRequest: { eId: ENV, serviceAccountKey: 's', featureKey: 'COLOUR' },
    });
    assert.equal(perm.status, 200);
    assert.equal(perm.permissionResponse?.feature.value?.retired, true);
  });
});
