import {
  type FeatureUpdateResult,
  fromStreamedFeatureUpdate,
  StreamedFeatureUpdateSchema,
  type TestApiPort,
} from '@fh/contracts';
import { type Bus, eventTypes, type FeatureHubSubjects, MR_UPDATES_QUEUE } from '@fh/messaging';
import type { Logger } from '@fh/service-kit';
import { Value } from 'typebox/value';

/** A running responder; `stop()` leaves the queue group. */
export interface TestApiResponder {
  stop(): void;
}

/**
 * Applies the test-SDK updates Edges send on `mrUpdates` (`feature-update-v1`, queue group
 * `featurehub/mr-update`: one MR instance takes each) through MR's Test-API updater, and replies with
 * its answer (`{ status, message? }`) when the sender asked (ours always do; upstream Edges publish and
 * forget, which works too). Other event types on the subject are left alone.
 */
export function serveTestApiUpdates(options: {
  bus: Bus;
  subjects: FeatureHubSubjects;
  testApi: TestApiPort;
  logger?: Pick<Logger, 'warn' | 'error'>;
}): TestApiResponder {
  const { bus, subjects, testApi, logger } = options;
  const sub = bus.subscribe(
    subjects.mrUpdates,
    async (message) => {
      if (message.event?.type !== eventTypes.featureUpdate) return;
      let result: FeatureUpdateResult;
      if (!Value.Check(StreamedFeatureUpdateSchema, message.data)) {
        logger?.warn({ subject: message.subject }, 'MR got a malformed test-SDK update');
        result = { status: 400, message: 'not a StreamedFeatureUpdate' };
      } else {
        try {
          result = await testApi.applyFeatureUpdate(fromStreamedFeatureUpdate(message.data));
        } catch (err) {
          logger?.error({ err }, 'applying a test-SDK update failed');
          result = { status: 500, message: 'the update could not be applied' };
        }
      }
      message.respond(result);
    },
    { queue: MR_UPDATES_QUEUE },
  );
  return { stop: () => sub.unsubscribe() };
}
