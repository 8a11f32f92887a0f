// Test-only: drives the real featurehub-javascript-node-sdk@1.4.0 (docs/edge-protocol.md §7).
import {
  EdgeFeatureHubConfig,
  FeatureHubPollingClient,
  FHLog,
  Readyness,
} from 'featurehub-javascript-node-sdk';

FHLog.fhLog.quiet();

export interface SdkClient {
  readonly config: EdgeFeatureHubConfig;
  /** Resolves 'Ready' or 'Failed', whichever comes first. */
  readonly settled: Promise<'Ready' | 'Failed'>;
  readonly readinessLog: string[];
  /** Closes this config now (and leaves it out of {@link closeAllSdks}). */
  close(): void;
}

const open = new Set<EdgeFeatureHubConfig>();
const pollers = new Set<FeatureHubPollingClient>();

interface PollingServiceView {
  readonly busy: boolean;
}

/**
 * A config for `apiKey`; SSE unless `pollMs` is given (then a per-instance polling client, never the
 * static supplier, which would leak into every later config). Call {@link closeAllSdks} after.
 */
export function sdkClient(
  url: string,
  apiKey: string,
  options: { pollMs?: number; init?: boolean } = {},
): SdkClient {
  const config = new EdgeFeatureHubConfig(url, apiKey);
  open.add(config);
  if (options.pollMs !== undefined) {
    const ms = options.pollMs;
    config.edgeServiceProvider((repo, c) => {
      const client = new FeatureHubPollingClient(repo, c, ms);
      pollers.add(client);
      return client;
    });
  }
  const readinessLog: string[] = [];
  const settled = new Promise<'Ready' | 'Failed'>((resolve) => {
    config.addReadinessListener((r) => {
      readinessLog.push(r);
      if (r === Readyness.Ready) resolve('Ready');
      else if (r === Readyness.Failed) resolve('Failed');
    }, true);
  });
  if (options.init !== false) config.init();
  return {
    config,
    settled,
    readinessLog,
    close: () => {
      config.close();
      open.delete(config);
    },
  };
}

/**
 * `cfg.close()` is required, or the SSE socket / poll timer keeps the process alive. It does not
 * abort a poll in flight, and the 1.4.0 poller has no error listener, so a server closing under it
 * would crash the test process: wait for in-flight polls before the server goes.
 */
export async function closeAllSdks(): Promise<void> {
  const services: PollingServiceView[] = [];
  for (const p of pollers) {
    const service = (p as unknown as { _pollingService?: PollingServiceView })._pollingService;
    if (service !== undefined) services.push(service);
  }
  for (const c of open) c.close();
  open.clear();
  pollers.clear();
  const deadline = Date.now() + 5000;
  while (services.some((s) => s.busy) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}
