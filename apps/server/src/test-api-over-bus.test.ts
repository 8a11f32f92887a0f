// Edge's BusTestApi against MR's serveTestApiUpdates over an in-process bus: the two ends of the
// `feature-update-v1` request, which live in packages that do not import each other.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestApiPort, TestFeatureUpdate } from '@fh/contracts';
import { BusTestApi } from '@fh/edge';
import { createInProcessBus, featureHubSubjects } from '@fh/messaging';
import { serveTestApiUpdates } from '@fh/mr';

const subjects = featureHubSubjects('mr-updates');

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
    request: { value: 'blue' },
    ...overrides,
  };
}

describe('MR applying test-SDK updates from the bus', () => {
  it('hands Edge’s update to the Test-API updater unchanged and answers with its result', async () => {
    const bus = createInProcessBus();
    const seen: TestFeatureUpdate[] = [];
    const updater: TestApiPort = {
      applyFeatureUpdate: async (u) => {
        seen.push(u);
        return u.lock === true ? { status: 403, message: 'no LOCK role' } : { status: 200 };
      },
    };
    const responder = serveTestApiUpdates({ bus, subjects, testApi: updater });
    const edge = new BusTestApi({ bus, subjects });

    assert.deepEqual(await edge.applyFeatureUpdate(update()), { status: 200 });
    assert.deepEqual(await edge.applyFeatureUpdate(update({ lock: true, updateValue: false, value: null })), {
      status: 403,
      message: 'no LOCK role',
    });
    await edge.applyFeatureUpdate(update({ value: null, request: { updateValue: true } }));
    await edge.applyFeatureUpdate(update({ value: false, request: { value: false } }));
    await edge.applyFeatureUpdate(update({ value: 12.5, request: { value: 12.5 } }));

    assert.deepEqual(seen[0], { ...update(), request: { value: 'blue', updateValue: true } });
    assert.equal(seen[1]?.lock, true);
    assert.equal(seen[1]?.updateValue, false);
    assert.deepEqual(
      seen.slice(2).map((u) => u.value),
      [null, false, 12.5],
    );
    responder.stop();
    await bus.close();
  });

  it('answers 500 when the updater fails, so Edge answers 500 too', async () => {
    const bus = createInProcessBus();
    const errors: unknown[] = [];
    const responder = serveTestApiUpdates({
      bus,
      subjects,
      testApi: { applyFeatureUpdate: () => Promise.reject(new Error('database down')) },
      logger: { warn() {}, error: (o) => errors.push(o) },
    });
    const edge = new BusTestApi({ bus, subjects });
    await assert.rejects(edge.applyFeatureUpdate(update()), /500/);
    assert.equal(errors.length, 1);
    responder.stop();
    await bus.close();
  });
});
