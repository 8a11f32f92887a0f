// The load generator, in its own process: autocannon with a fixed number of keep-alive connections.
import autocannon from 'autocannon';
import { serveRequests } from '../lib/ipc.ts';

export interface LoadRequest {
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly requests: {
    path: string;
    headers?: Record<string, string>;
    method?: 'GET' | 'POST';
    body?: string;
  }[];
}

export interface LoadResult {
  readonly rps: number;
  readonly total: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
  readonly latencyMean: number;
  readonly non2xx: number;
  /** Responses by HTTP status. */
  readonly statuses: Record<string, number>;
  readonly errors: number;
  readonly timeouts: number;
  readonly throughputMBps: number;
}

async function run(request: LoadRequest): Promise<LoadResult> {
  const result = await autocannon({
    url: request.url,
    connections: request.connections,
    duration: request.durationSeconds,
    timeout: 10,
    requests: request.requests.map((r) => ({
      method: r.method ?? 'GET',
      path: r.path,
      headers: r.headers ?? {},
      ...(r.body === undefined ? {} : { body: r.body }),
    })),
  });
  return {
    rps: result.requests.average,
    total: result.requests.total,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyMean: result.latency.mean,
    non2xx: result.non2xx,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
    errors: result.errors,
    timeouts: result.timeouts,
    throughputMBps: result.throughput.average / 1024 / 1024,
  };
}

serveRequests({ run: (r: LoadRequest) => run(r) });
