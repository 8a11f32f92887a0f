import { randomUUID } from 'node:crypto';
import {
  type CacheFillComplete,
  CacheFillCompleteSchema,
  CacheManagementCloudEvents,
  type CacheManagementMessage,
  CacheManagementMessageSchema,
  type CacheState,
  CacheVersionsSchema,
  FILL_ID_HEADER,
  type MrCacheRequest,
  type PublishEnvironment,
  type PublishServiceAccount,
} from '@fh/contracts';
import {
  type Bus,
  BusError,
  type BusMessage,
  type BusSubscription,
  type ConnectionWatch,
  eventSubjects,
  eventTypes,
  type FeatureHubSubjects,
  watchConnection,
} from '@fh/messaging';
import { Value } from 'typebox/value';
import { applyCacheMessage, connectDachaToBus, type DachaBusSubscription } from './bus-wiring.ts';
import { localVersions, versionDifferences } from './cache-versions.ts';
import { DachaCache } from './dacha-cache.ts';
import { type EdgeResponder, serveEdgeRequests } from './edge-responder.ts';
import type { EnvironmentSnapshot } from './environment-snapshot.ts';
import type { DachaLogger } from './types.ts';

/** Where a Dacha is in its life. */
export type DachaNodeState =
  | 'starting'
  | 'seeking'
  | 'electing'
  | 'master'
  | 'following'
  | 'complete'
  | 'closed';

/** Options of {@link DachaNode}. */
export interface DachaNodeOptions {
  readonly bus: Bus;
  /** The subjects of this Dacha's cache name. */
  readonly subjects: FeatureHubSubjects;
  readonly logger?: DachaLogger | undefined;
  /** This Dacha's id; default a random UUID. The lowest id wins an election. */
  readonly id?: string | undefined;
  /**
   * The election window (upstream `cache.timeout`); a Dacha seeking a complete peer waits half of it
   * for answers. Default 2000 ms.
   */
  readonly timeoutMs?: number | undefined;
  /** A fill (from a peer or MR) that sends nothing for this long is given up and tried again. Default 5000 ms. */
  readonly fillTimeoutMs?: number | undefined;
  /** How often a complete Dacha compares its versions with MR's (0 = never). Default 10000 ms. */
  readonly catchUpIntervalMs?: number | undefined;
  /** How long to wait for MR to answer a request. Default 5000 ms. */
  readonly mrRequestTimeoutMs?: number | undefined;
  /** After a NATS reconnection, catch up after each of these delays. */
  readonly reconnectCatchUpDelaysMs?: readonly number[] | undefined;
}

/** What one catch-up found and did. */
export interface CatchUpResult {
  /** False when MR could not be asked (not running, not reachable). */
  readonly reachedMr: boolean;
  readonly environments: number;
  readonly serviceAccounts: number;
}

interface PendingFill {
  readonly fillId: string;
  environments: number;
  serviceAccounts: number;
  /** Progress: the fill gives up only after `fillTimeoutMs` without any message. */
  touch(): void;
  resolve(outcome: CacheFillComplete | undefined): void;
}

/**
 * One Dacha of a cache name, as its own process runs it: it fills itself, serves Edge once complete,
 * helps peers fill, and heals itself from MR.
 *
 * Start-up (the upstream Dacha1 protocol, made deterministic):
 * 1. Broadcast `SEEKING_COMPLETE_CACHE` on `cacheManagement` and collect `CACHE_SOURCE` answers for half
 *    the timeout. A complete peer (lowest id first) is asked (`SEEKING_REFRESH`) to stream its cache to
 *    this Dacha's fill subject: MR is never asked when a peer can answer.
 * 2. A peer answering `REQUESTED` is a master filling from MR: wait and seek again.
 * 3. Nobody: elect. Broadcast `CLAIMING_MASTER` repeatedly for the timeout, collecting the claims of the
 *    other Dachas starting now; the lowest id wins. A master never steps down; a Dacha still electing
 *    yields to any `REQUESTED` or `COMPLETE` answer (sent in reply to its claim), so one that starts late
 *    cannot become a second master. The master asks MR (`fullCacheRequests`) to stream everything,
 *    retrying until MR answers; the others follow it and fill from it once it is complete.
 * A Dacha is ready (and joins the Edge queue group) only once a fill has completed with every record
 * it announced. Afterwards it compares per-record version tags with MR's every `catchUpIntervalMs` and
 * after NATS reconnections, refetching what differs and dropping what MR no longer has, so a missed
 * message is healed within one period.
 */
export class DachaNode {
  readonly id: string;
  readonly cache: DachaCache;
  readonly #bus: Bus;
  readonly #subjects: FeatureHubSubjects;
  readonly #logger: DachaLogger | undefined;
  readonly #timeoutMs: number;
  readonly #fillTimeoutMs: number;
  readonly #catchUpMs: number;
  readonly #mrTimeoutMs: number;
  readonly #reconnectDelays: readonly number[];
  readonly #fillSubject: string;
  readonly #closing = new AbortController();
  readonly #sources = new Map<string, CacheState>();
  readonly #claims = new Map<string, number>();
  readonly #fills = new Map<string, PendingFill>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #subscriptions: BusSubscription[] = [];
  #cacheFeed: DachaBusSubscription | undefined;
  #edgeResponder: EdgeResponder | undefined;
  #watch: ConnectionWatch | undefined;
  #state: DachaNodeState = 'starting';
  #filledFrom: string | undefined;
  #catchingUp: Promise<CatchUpResult> | undefined;
  #catchUpStarted = 0;
  #reconnectedAt = 0;
  #run: Promise<void> | undefined;
  #readyWaiters: (() => void)[] = [];

  constructor(options: DachaNodeOptions) {
    this.id = options.id ?? randomUUID();
    this.#bus = options.bus;
    this.#subjects = options.subjects;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#fillTimeoutMs = options.fillTimeoutMs ?? 5000;
    this.#catchUpMs = options.catchUpIntervalMs ?? 10_000;
    this.#mrTimeoutMs = options.mrRequestTimeoutMs ?? 5000;
    this.#reconnectDelays = options.reconnectCatchUpDelaysMs ?? [200, 1500, 3500];
    this.#fillSubject = `${options.subjects.cacheManagement}.fill.${this.id}`;
    this.cache = new DachaCache({ ready: false, ...(options.logger ? { logger: options.logger } : {}) });
  }

  get state(): DachaNodeState {
    return this.#state;
  }

  /** `mr`, or the id of the peer this Dacha filled from; undefined until complete. */
  get filledFrom(): string | undefined {
    return this.#filledFrom;
  }

  /** True once the cache is complete (and until shutdown). */
  isReady(): boolean {
    return this.#state === 'complete';
  }

  /** Resolves once complete. */
  whenReady(): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  /** Subscribes and starts filling in the background; see {@link whenReady}. */
  start(): this {
    if (this.#run) return this;
    this.#cacheFeed = connectDachaToBus(this.cache, this.#bus, {
      subjects: this.#subjects,
      ...(this.#logger ? { logger: this.#logger } : {}),
    });
    this.#subscriptions.push(
      this.#bus.subscribe(this.#subjects.cacheManagement, (m) => this.#onManagement(m)),
      this.#bus.subscribe(this.#fillSubject, (m) => this.#onFillMessage(m)),
    );
    this.#run = this.#fill().catch((err: unknown) => {
      if (!this.#closing.signal.aborted) this.#logger?.error({ err }, 'Dacha stopped filling');
    });
    return this;
  }

  /** Says goodbye to the peers, leaves the Edge queue group and unsubscribes. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const wasComplete = this.#state === 'complete';
    this.#state = 'closed';
    this.#closing.abort();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#watch?.stop();
    this.#edgeResponder?.stop();
    this.#cacheFeed?.stop();
    for (const s of this.#subscriptions) s.unsubscribe();
    for (const fill of this.#fills.values()) fill.resolve(undefined);
    if (this.#bus.isReady()) {
      try {
        this.#announce({ requestType: 'CACHE_REMOVED', cacheState: wasComplete ? 'COMPLETE' : 'NONE' });
      } catch {
        // The bus is going away as well.
      }
    }
    await this.#run;
  }

  /**
   * Compares versions with MR and refetches what differs. Runs by itself periodically once complete;
   * concurrent calls share one run.
   */
  catchUp(): Promise<CatchUpResult> {
    // A run that began before the last reconnection may be waiting on a request lost with the old
    // connection (until its timeout): do not wait behind it.
    if (this.#catchingUp && this.#catchUpStarted >= this.#reconnectedAt) return this.#catchingUp;
    const run: Promise<CatchUpResult> = this.#catchUp().finally(() => {
      if (this.#catchingUp === run) this.#catchingUp = undefined;
    });
    this.#catchingUp = run;
    this.#catchUpStarted = Date.now();
    return run;
  }

  // ---------------------------------------------------------------- start-up

  async #fill(): Promise<void> {
    const seekWindow = Math.max(50, Math.floor(this.#timeoutMs / 2));
    while (!this.#closed()) {
      if (this.#state !== 'following') this.#state = 'seeking';
      const sources = await this.#seek(seekWindow);
      if (this.#closed()) return;
      const peer = lowest([...sources].filter(([, s]) => s === 'COMPLETE').map(([id]) => id));
      if (peer !== undefined) {
        if (await this.#fillFromPeer(peer)) return this.#complete(peer);
        continue;
      }
      if ([...sources.values()].includes('REQUESTED')) {
        // A master is filling from MR; it will be complete soon.
        this.#state = 'following';
        await this.#sleep(seekWindow);
        continue;
      }
      if ((await this.#elect()) === 'master') {
        if (await this.#fillFromMr()) return this.#complete('mr');
        return;
      }
      this.#state = 'following';
      await this.#sleep(seekWindow);
    }
  }

  async #seek(windowMs: number): Promise<Map<string, CacheState>> {
    this.#sources.clear();
    this.#announce({ requestType: 'SEEKING_COMPLETE_CACHE', cacheState: 'NONE' });
    await this.#sleep(windowMs);
    return new Map(this.#sources);
  }

  async #elect(): Promise<'master' | 'follower'> {
    this.#state = 'electing';
    const started = Date.now();
    // Claims seen while seeking count too: those Dachas are in the same election.
    const since = started - Math.floor(this.#timeoutMs / 2) - 50;
    this.#sources.clear();
    const step = Math.max(20, Math.floor(this.#timeoutMs / 4));
    while (Date.now() - started < this.#timeoutMs) {
      this.#announce({ requestType: 'CLAIMING_MASTER', cacheState: 'NONE' });
      await this.#sleep(Math.min(step, this.#timeoutMs - (Date.now() - started)));
      if (this.#closed()) return 'follower';
      if ([...this.#sources.values()].some((s) => s !== 'NONE')) {
        this.#logger?.info({ id: this.id }, 'Dacha found a master or a complete peer while electing');
        return 'follower';
      }
    }
    for (const [id, at] of this.#claims) if (at < since) this.#claims.delete(id);
    const claimants = [this.id, ...this.#claims.keys()];
    const winner = lowest(claimants);
    if (winner === this.id) {
      this.#state = 'master';
      this.#logger?.info(
        { id: this.id, claimants: claimants.length },
        'Dacha elected master; asking MR for the full cache',
      );
      return 'master';
    }
    this.#logger?.info({ id: this.id, master: winner }, 'Dacha lost the election; following the master');
    return 'follower';
  }

  async #fillFromPeer(peerId: string): Promise<boolean> {
    const fillId = randomUUID();
    const outcome = this.#awaitFill(fillId);
    this.#announce({
      requestType: 'SEEKING_REFRESH',
      cacheState: 'NONE',
      destId: peerId,
      fillSubject: this.#fillSubject,
      fillId,
    });
    const complete = await outcome;
    if (!complete)
      this.#logger?.warn({ peerId }, 'filling from a peer Dacha did not complete; seeking again');
    return complete !== undefined;
  }

  async #fillFromMr(): Promise<boolean> {
    let delay = 250;
    while (!this.#closed()) {
      const complete = await this.#fillFromMrOnce();
      if (complete) return true;
      await this.#sleep(delay);
      delay = Math.min(delay * 2, Math.max(1000, this.#timeoutMs));
    }
    return false;
  }

  async #fillFromMrOnce(ids?: {
    environmentIds: string[];
    serviceAccountIds: string[];
  }): Promise<CacheFillComplete | undefined> {
    const fillId = randomUUID();
    const request: MrCacheRequest = {
      type: 'fill',
      requesterId: this.id,
      fillSubject: this.#fillSubject,
      fillId,
      ...(ids ?? {}),
    };
    const outcome = this.#awaitFill(fillId);
    try {
      await this.#bus.request(this.#subjects.fullCacheRequests, request, { timeoutMs: this.#mrTimeoutMs });
    } catch (err) {
      this.#fills.get(fillId)?.resolve(undefined);
      await outcome;
      if (!(err instanceof BusError)) throw err;
      this.#logger?.warn({ code: err.code }, 'MR did not answer a cache request; will retry');
      return undefined;
    }
    return outcome;
  }

  #complete(source: string): void {
    if (this.#closed()) return;
    this.#state = 'complete';
    this.#filledFrom = source;
    this.cache.markReady();
    this.#edgeResponder = serveEdgeRequests(this.cache, this.#bus, {
      subjects: this.#subjects,
      ...(this.#logger ? { logger: this.#logger } : {}),
    });
    this.#logger?.info(
      {
        id: this.id,
        source: source === 'mr' ? 'mr' : 'peer',
        peerId: source === 'mr' ? undefined : source,
        environments: this.cache.environmentCount,
        serviceAccounts: this.cache.serviceAccountCount,
      },
      source === 'mr' ? 'Dacha cache complete, filled from MR' : 'Dacha cache complete, filled from a peer',
    );
    for (const resolve of this.#readyWaiters.splice(0)) resolve();
    if (this.#catchUpMs > 0) {
      this.#every(this.#catchUpMs, () => {
        if (this.#bus.isReady()) void this.catchUp();
      });
    }
    this.#watch = watchConnection(this.#bus, () => {
      this.#reconnectedAt = Date.now();
      this.#logger?.info({ id: this.id }, 'Dacha reconnected to the bus; catching up with MR');
      for (const delay of this.#reconnectDelays) this.#after(delay, () => void this.catchUp());
    });
  }

  // ---------------------------------------------------------------- catch-up

  async #catchUp(): Promise<CatchUpResult> {
    const none: CatchUpResult = { reachedMr: false, environments: 0, serviceAccounts: 0 };
    if (this.#state !== 'complete') return none;
    let reply: BusMessage;
    try {
      reply = await this.#bus.request(
        this.#subjects.fullCacheRequests,
        { type: 'versions' } satisfies MrCacheRequest,
        {
          timeoutMs: this.#mrTimeoutMs,
        },
      );
    } catch (err) {
      if (!(err instanceof BusError)) throw err;
      this.#logger?.debug({ code: err.code }, 'MR did not answer a versions request; serving what we hold');
      return none;
    }
    if (!Value.Check(CacheVersionsSchema, reply.data)) {
      this.#logger?.warn({}, 'MR answered a versions request with nonsense');
      return none;
    }
    const diff = versionDifferences(reply.data, localVersions(this.cache));
    if (diff.environmentIds.length === 0 && diff.serviceAccountIds.length === 0) {
      return { reachedMr: true, environments: 0, serviceAccounts: 0 };
    }
    const complete = await this.#fillFromMrOnce(diff);
    if (!complete) return none;
    for (const id of complete.missingEnvironments ?? []) this.#dropEnvironment(id);
    for (const id of complete.missingServiceAccounts ?? []) this.#dropServiceAccount(id);
    this.#logger?.info(
      { environmentIds: diff.environmentIds, serviceAccountIds: diff.serviceAccountIds },
      'Dacha caught up with MR',
    );
    return {
      reachedMr: true,
      environments: diff.environmentIds.length,
      serviceAccounts: diff.serviceAccountIds.length,
    };
  }

  #dropEnvironment(id: string): void {
    const held = this.cache.environment(id);
    if (!held) return;
    this.cache.applyEnvironment({
      ...toPublishEnvironment(held, 0),
      environment: { id, version: Number.MAX_SAFE_INTEGER },
      featureValues: [],
      action: 'DELETE',
    });
  }

  #dropServiceAccount(id: string): void {
    const held = this.cache.serviceAccount(id);
    if (held) this.cache.applyServiceAccount({ serviceAccount: held, action: 'DELETE', count: 0 });
  }

  // ---------------------------------------------------------------- messages

  #onManagement(message: BusMessage): void {
    if (!Value.Check(CacheManagementMessageSchema, message.data)) {
      this.#logger?.warn({ subject: message.subject }, 'Dacha dropped a malformed cache-management message');
      return;
    }
    const m = message.data;
    if (m.id === this.id) return;
    if (m.destId != null && m.destId !== this.id) return;
    switch (m.requestType) {
      case 'SEEKING_COMPLETE_CACHE':
      case 'CLAIMING_MASTER': {
        if (m.requestType === 'CLAIMING_MASTER') this.#claims.set(m.id, Date.now());
        const state = this.#advertisedState();
        if (state !== undefined)
          this.#announce({ requestType: 'CACHE_SOURCE', cacheState: state, destId: m.id });
        return;
      }
      case 'CACHE_SOURCE':
        this.#sources.set(m.id, m.cacheState);
        return;
      case 'SEEKING_REFRESH':
        if (this.#state === 'complete' && m.fillSubject && m.fillId)
          this.#streamTo(m.fillSubject, m.fillId, m.id);
        return;
      case 'CACHE_REMOVED':
        this.#claims.delete(m.id);
        this.#sources.delete(m.id);
        return;
      default:
        return;
    }
  }

  /** What to answer a seeker or claimant: only a complete cache or a master filling has something to say. */
  #advertisedState(): CacheState | undefined {
    if (this.#state === 'complete') return 'COMPLETE';
    if (this.#state === 'master') return 'REQUESTED';
    return undefined;
  }

  #streamTo(fillSubject: string, fillId: string, requesterId: string): void {
    const headers = { [FILL_ID_HEADER]: fillId };
    const accounts = [...this.cache.serviceAccounts()];
    const environments = [...this.cache.environments()];
    this.#logger?.info(
      { requesterId, environments: environments.length, serviceAccounts: accounts.length },
      'Dacha streaming its cache to a peer',
    );
    for (const serviceAccount of accounts) {
      const message: PublishServiceAccount = { serviceAccount, action: 'UPDATE', count: accounts.length };
      this.#bus.publish(fillSubject, message, {
        headers,
        event: {
          type: eventTypes.publishServiceAccount,
          subject: eventSubjects[eventTypes.publishServiceAccount],
        },
      });
    }
    for (const snapshot of environments) {
      this.#bus.publish(fillSubject, toPublishEnvironment(snapshot, environments.length), {
        headers,
        event: { type: eventTypes.publishEnvironment, subject: eventSubjects[eventTypes.publishEnvironment] },
      });
    }
    const complete: CacheFillComplete = {
      fillId,
      sourceId: this.id,
      environments: environments.length,
      serviceAccounts: accounts.length,
    };
    this.#bus.publish(fillSubject, complete, {
      headers,
      event: { type: CacheManagementCloudEvents.fillComplete },
    });
  }

  #onFillMessage(message: BusMessage): void {
    const type = message.event?.type;
    const fill = this.#fills.get(message.headers[FILL_ID_HEADER] ?? '');
    fill?.touch();
    if (type === CacheManagementCloudEvents.fillComplete) {
      if (!fill || !Value.Check(CacheFillCompleteSchema, message.data)) return;
      const complete = message.data;
      if (complete.environments !== fill.environments || complete.serviceAccounts !== fill.serviceAccounts) {
        this.#logger?.warn(
          {
            sent: complete,
            received: { environments: fill.environments, serviceAccounts: fill.serviceAccounts },
          },
          'a cache fill lost messages; it will be retried',
        );
        fill.resolve(undefined);
        return;
      }
      fill.resolve(complete);
      return;
    }
    // Whatever fill it belongs to, a valid record is applied: versions only move forward.
    const outcome = applyCacheMessage(this.cache, type, message.data);
    if (outcome !== 'applied') {
      this.#logger?.warn({ type, outcome }, 'Dacha dropped a fill message');
      return;
    }
    if (!fill) return;
    if (type === eventTypes.publishEnvironment) fill.environments++;
    else if (type === eventTypes.publishServiceAccount) fill.serviceAccounts++;
  }

  #awaitFill(fillId: string): Promise<CacheFillComplete | undefined> {
    return new Promise((resolve) => {
      let timer = setTimeout(() => finish(undefined), this.#fillTimeoutMs);
      const finish = (outcome: CacheFillComplete | undefined) => {
        clearTimeout(timer);
        this.#fills.delete(fillId);
        resolve(outcome);
      };
      const touch = () => {
        clearTimeout(timer);
        timer = setTimeout(() => finish(undefined), this.#fillTimeoutMs);
      };
      this.#fills.set(fillId, { fillId, environments: 0, serviceAccounts: 0, touch, resolve: finish });
    });
  }

  #announce(
    fields: Pick<CacheManagementMessage, 'requestType' | 'cacheState'> & Partial<CacheManagementMessage>,
  ): void {
    const message: CacheManagementMessage = { id: this.id, ...fields };
    this.#bus.publish(this.#subjects.cacheManagement, message, {
      event: { type: CacheManagementCloudEvents.cacheManagement },
    });
  }

  // ---------------------------------------------------------------- timing

  #closed(): boolean {
    return this.#closing.signal.aborted;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#closed()) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.#closing.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#closing.signal.addEventListener('abort', done, { once: true });
    });
  }

  #after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  #every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    timer.unref();
    this.#timers.add(timer);
  }
}

/** A held environment as the message that would recreate it. */
export function toPublishEnvironment(snapshot: EnvironmentSnapshot, count: number): PublishEnvironment {
  return {
    environment: snapshot.environment,
    organizationId: snapshot.organizationId,
    portfolioId: snapshot.portfolioId,
    applicationId: snapshot.applicationId,
    featureValues: [...snapshot.all],
    serviceAccounts: [...snapshot.serviceAccountIds],
    action: 'UPDATE',
    count,
  };
}

function lowest(ids: readonly string[]): string | undefined {
  let min: string | undefined;
  for (const id of ids) if (min === undefined || id < min) min = id;
  return min;
}
