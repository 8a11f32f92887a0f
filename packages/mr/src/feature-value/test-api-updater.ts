import { randomUUID } from 'node:crypto';
import { BadRequestError } from '@fh/service-kit';
import type { UnitOfWork } from '../core/unit-of-work.ts';
import type { Stores } from '../db/stores.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import type { ServiceAccount } from '../service-account/service-account-store.ts';
import { isConcurrentWriteFailure, retryConcurrentWrites } from './concurrent-write-retry.ts';
import { toStoredValue } from './stored-value.ts';
import { saveFeatureValue } from './update-feature-value.ts';

// The Management Repository's side of the Edge test API (docs/edge-protocol.md §2.3,
// docs/admin-api-rules.md §The test API in MR): an SDK's PUT, already checked by Edge against its cache,
// is re-checked here against MR's own state and saved through the same feature-value logic as an admin
// change (stored, versioned, in the history, published), as the service account's hidden "shadow" person.

/**
 * A test-API update as Edge hands it over (structurally @fh/contracts' `TestFeatureUpdate`): `value` is typed
 * for the wire (`null` = clear) and `lock: undefined` leaves the lock alone.
 */
export interface TestApiFeatureUpdate {
  readonly environmentId: string;
  readonly apiKey: string;
  readonly serviceAccountId: string;
  readonly featureId: string;
  readonly featureKey: string;
  readonly lock: boolean | undefined;
  readonly updateValue: boolean;
  readonly value: boolean | number | string | null;
}

/**
 * 200 changed, 202 nothing to change, 400 bad value, 403 missing role, 404 unknown, 412 locked,
 * 503 when other saves kept getting in first for every attempt (the SDK may try again).
 */
export interface TestApiUpdateResult {
  readonly status: 200 | 202 | 400 | 403 | 404 | 412 | 503;
  readonly message?: string;
}

/** Upstream retries a test-API save this many times when other saves keep getting in first. */
export const TEST_API_ATTEMPTS = 10;

const SHADOW_EMAIL_DOMAIN = 'sdk.sa.featurehub.io';

/** The stores a test-API update reads and writes. */
type TestApiStores = Pick<
  Stores,
  'applications' | 'environments' | 'features' | 'featureValues' | 'persons' | 'serviceAccounts'
>;

const refuse = (status: TestApiUpdateResult['status'], message: string): TestApiUpdateResult => ({
  status,
  message,
});

/** Implements the test-API port Edge calls (@fh/contracts' `TestApiPort`) for an MR in the same process. */
export class MrTestApiUpdater {
  readonly #uow: UnitOfWork;
  readonly #stores: TestApiStores;

  constructor(uow: UnitOfWork, stores: TestApiStores) {
    this.#uow = uow;
    this.#stores = stores;
  }

  async applyFeatureUpdate(update: TestApiFeatureUpdate): Promise<TestApiUpdateResult> {
    // A cheap read outside any transaction turns away most bad requests without a write lock.
    const refused = await this.#check(this.#stores, update);
    if ('status' in refused) return refused;
    try {
      return await retryConcurrentWrites(
        () =>
          this.#uow.run(async (tx, changes) => {
            const checked = await this.#check(tx, update);
            return 'status' in checked ? checked : this.#save(tx, changes, update, checked);
          }),
        TEST_API_ATTEMPTS,
      );
    } catch (err) {
      if (isConcurrentWriteFailure(err)) return refuse(503, 'the value is changing too often, try again');
      throw err;
    }
  }

  /** The checks of docs/edge-protocol.md §2.3 steps 1–7, in that order, against MR's state. */
  async #check(tx: TestApiStores, update: TestApiFeatureUpdate): Promise<TestApiUpdateResult | Checked> {
    const account = await tx.serviceAccounts.findByApiKey(update.apiKey);
    if (!account || account.id !== update.serviceAccountId) return refuse(404, 'unknown API key');
    const environment = await tx.environments.findById(update.environmentId);
    const application = environment && (await tx.applications.findById(environment.applicationId));
    if (!environment || !application || application.portfolioId !== account.portfolioId) {
      return refuse(404, 'unknown environment');
    }
    const feature = await tx.features.findByKey(application.id, update.featureKey);
    if (!feature) return refuse(404, `unknown feature ${update.featureKey}`);
    const permissions = await tx.serviceAccounts.listPermissions({
      serviceAccountIds: [account.id],
      environmentIds: [environment.id],
    });
    const roles = new Set<EnvironmentRole>(permissions.flatMap((p) => p.roles));
    if (roles.size === 0) return refuse(404, 'the API key has no access to this environment');
    if (!roles.has('CHANGE_VALUE') && !roles.has('LOCK') && !roles.has('UNLOCK')) {
      return refuse(403, 'no write roles');
    }
    if (update.lock === true && !roles.has('LOCK')) return refuse(403, 'the API key may not lock');
    if (update.lock === false && !roles.has('UNLOCK')) return refuse(403, 'the API key may not unlock');
    const updateValue = update.updateValue || (update.value !== null && update.value !== undefined);
    if (update.lock === undefined && !updateValue)
      return refuse(400, 'lock and updateValue null, nothing to do');
    const current = await tx.featureValues.find(environment.id, feature.id);
    const currentlyLocked = current ? current.locked : feature.valueType === 'BOOLEAN';
    let value: string | null | undefined;
    if (updateValue) {
      if (!roles.has('CHANGE_VALUE')) return refuse(403, 'the API key may not change values');
      if (currentlyLocked && update.lock !== false) {
        return refuse(412, 'it is locked, cannot change value without also unlocking');
      }
      if (feature.valueType === 'BOOLEAN' && (update.value === null || update.value === undefined)) {
        return refuse(412, 'cannot set flag value to null');
      }
      try {
        value = toStoredValue(feature.valueType, update.value);
      } catch (err) {
        if (err instanceof BadRequestError) return refuse(400, err.message);
        throw err;
      }
    }
    const currentValue = current ? current.value : feature.valueType === 'BOOLEAN' ? 'false' : null;
    const sameValue = value === undefined || value === currentValue;
    const sameLock = update.lock === undefined || update.lock === currentlyLocked;
    if (sameValue && sameLock) return { status: 202 } as const;
    return {
      account,
      roles,
      target: { environment, application, feature },
      value,
    };
  }

  async #save(
    tx: TestApiStores,
    changes: ChangeSet,
    update: TestApiFeatureUpdate,
    checked: Checked,
  ): Promise<TestApiUpdateResult> {
    const personId = await this.#shadowPerson(tx, checked.account);
    const outcome = await saveFeatureValue(tx, changes, { personId, roles: checked.roles }, checked.target, {
      version: 'current',
      state: {
        ...(checked.value !== undefined ? { value: checked.value } : {}),
        ...(update.lock !== undefined ? { locked: update.lock } : {}),
      },
    });
    return outcome.saved ? { status: 200 } : { status: 202 };
  }

  /** The account's hidden person, created on first use (upstream creates it with the account). */
  async #shadowPerson(tx: TestApiStores, account: ServiceAccount): Promise<string> {
    if (
      account.sdkPersonId !== null &&
      (await tx.persons.findById(account.sdkPersonId, { includeArchived: true }))
    ) {
      return account.sdkPersonId;
    }
    const person = await tx.persons.create({
      email: `${randomUUID()}@${SHADOW_EMAIL_DOMAIN}`,
      name: account.name,
      personType: 'sdkServiceAccount',
    });
    await tx.serviceAccounts.update(account.id, { sdkPersonId: person.id });
    return person.id;
  }
}

interface Checked {
  account: ServiceAccount;
  roles: ReadonlySet<EnvironmentRole>;
  target: Parameters<typeof saveFeatureValue>[3];
  value: string | null | undefined;
}
