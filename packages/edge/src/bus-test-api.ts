import { FeatureUpdateResultSchema, toStreamedFeatureUpdate } from '@fh/contracts';
import { type Bus, BusError, eventSubjects, eventTypes, type FeatureHubSubjects } from '@fh/messaging';
import type { Logger } from '@fh/service-kit';
import { Value } from 'typebox/value';
import type { TestApiPort, TestApiResult, TestApiStatus, TestFeatureUpdate } from './ports.ts';

const STATUSES: ReadonlySet<number> = new Set<TestApiStatus>([200, 202, 400, 403, 404, 412, 503]);

/**
 * Edge's test API when MR runs elsewhere: each accepted update is sent to one MR instance as a
 * `feature-update-v1` request on `mrUpdates` (queue group `featurehub/mr-update`), and MR's reply is
 * the answer. Upstream sent it fire-and-forget and always said 200; waiting lets MR's own checks
 * (it is authoritative, the cache may be behind) reach the SDK. No MR → 503.
 */
export class BusTestApi implements TestApiPort {
  readonly #bus: Bus;
  readonly #subjects: FeatureHubSubjects;
  readonly #timeoutMs: number;
  readonly #logger: Pick<Logger, 'warn'> | undefined;

  constructor(options: {
    bus: Bus;
    subjects: FeatureHubSubjects;
    timeoutMs?: number;
    logger?: Pick<Logger, 'warn'>;
  }) {
    this.#bus = options.bus;
    this.#subjects = options.subjects;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#logger = options.logger;
  }

  async applyFeatureUpdate(update: TestFeatureUpdate): Promise<TestApiResult> {
    let data: unknown;
    try {
      const reply = await this.#bus.request(this.#subjects.mrUpdates, toStreamedFeatureUpdate(update), {
        timeoutMs: this.#timeoutMs,
        event: { type: eventTypes.featureUpdate, subject: eventSubjects[eventTypes.featureUpdate] },
      });
      data = reply.data;
    } catch (err) {
      if (err instanceof BusError) {
        this.#logger?.warn({ err }, 'the test-API update did not reach MR');
        return { status: 503, message: 'the Management Repository is not reachable, try again shortly' };
      }
      throw err;
    }
    if (!Value.Check(FeatureUpdateResultSchema, data))
      throw new Error('MR answered a test-API update with nonsense');
    if (!STATUSES.has(data.status)) {
      throw new Error(`MR failed to apply a test-API update (${data.status}): ${data.message ?? ''}`);
    }
    const status = data.status as TestApiStatus;
    return data.message === undefined ? { status } : { status, message: data.message };
  }
}
