import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CacheCloudEvents } from '@fh/contracts';
import { createInProcessBus, featureHubSubjects } from '@fh/messaging';
import { createInProcessDacha } from './in-process-dacha.ts';
import { cacheFeature, publishEnvironment, publishServiceAccount } from './testing.ts';

const ENV = '11111111-2222-4333-8444-555555555555';

describe('Dacha on the bus', () => {
  it('follows MR cache messages and drops ones that do not match their schema', async () => {
    const bus = createInProcessBus();
    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, warn: (o: unknown) => warnings.push(o), error() {} };
    const dacha = createInProcessDacha({ bus, logger });
    const { cacheChannel } = featureHubSubjects();
    const flag = cacheFeature({ id: 'f1', key: 'FLAG', type: 'BOOLEAN', value: true });
    bus.publish(cacheChannel, publishEnvironment({ id: ENV, features: [flag] }), {
      event: { type: CacheCloudEvents.publishEnvironment.type },
    });
    bus.publish(
      cacheChannel,
      publishServiceAccount({
        id: 'sa',
        clientKey: 'c*k',
        serverKey: 'sk',
        permissions: { [ENV]: ['READ'] },
      }),
      { event: { type: CacheCloudEvents.publishServiceAccount.type } },
    );
    bus.publish(
      cacheChannel,
      { features: 'not a list' },
      { event: { type: CacheCloudEvents.publishFeatureValues.type } },
    );
    await bus.flush();
    assert.equal(dacha.features(ENV, 'c*k').status, 'found');
    assert.equal(warnings.length, 1);
    dacha.close();
    await bus.close();
  });
});
