import { BadRequestError, ForbiddenError, NotFoundError, StaleVersionError } from '@fh/service-kit';
import { applicationOf } from '../application/application-read-model.ts';
import type { Stores } from '../db/stores.ts';
import { checkedFilterIds } from '../feature-filter/feature-filter-read-model.ts';
import type { Access } from '../permission/access.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import { applicationWithReadableFeatures, findFeatureByKeyOrId } from './feature-read-model.ts';
import type { Feature, FeatureValueType, UpdateFeature } from './feature-store.ts';

// Feature definitions (docs/admin-api-rules.md §Features): one per key in an application, typed,
// archived on delete.

/** What a new feature is made of; optional text fields default to null. */
export interface NewFeature {
  key: string;
  name: string;
  valueType: FeatureValueType;
  description?: string | null;
  link?: string | null;
  metaData?: string | null;
  alias?: string | null;
  secret?: boolean | null;
  /** Feature filter ids (API 1.2.6). */
  filters?: readonly string[] | null;
}

/** A partial update of a feature: missing fields stay unchanged, null clears. */
export interface FeatureChanges {
  /** the version the caller edited; a mismatch is a 422 */
  version?: number;
  key?: string;
  name?: string;
  valueType?: FeatureValueType;
  description?: string | null;
  link?: string | null;
  metaData?: string | null;
  alias?: string | null;
  secret?: boolean | null;
  /** Feature filter ids (API 1.2.6): absent = unchanged, null or [] = none. */
  filters?: readonly string[] | null;
}

// Column sizes: longer values would fail in the database, so they are refused as bad input first.
const MAX_KEY = 255;
const MAX_NAME = 255;
const MAX_ALIAS = 255;
const MAX_DESCRIPTION = 300;
const MAX_LINK = 600;

function checkKey(key: string): string {
  if (key === '') throw new BadRequestError('the feature key must not be empty');
  if (/\s/.test(key)) throw new BadRequestError(`the feature key "${key}" must not contain whitespace`);
  if (key.length > MAX_KEY)
    throw new BadRequestError(`the feature key must be at most ${MAX_KEY} characters`);
  return key;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new BadRequestError('the feature name must not be blank');
  if (trimmed.length > MAX_NAME)
    throw new BadRequestError(`the feature name must be at most ${MAX_NAME} characters`);
  return trimmed;
}

function checkLength(field: string, value: string | null | undefined, max: number): void {
  if (typeof value === 'string' && value.length > max) {
    throw new BadRequestError(`the feature ${field} must be at most ${max} characters`);
  }
}

function checkOptionalFields(f: {
  description?: string | null;
  link?: string | null;
  alias?: string | null;
}) {
  checkLength('description', f.description, MAX_DESCRIPTION);
  checkLength('link', f.link, MAX_LINK);
  checkLength('alias', f.alias, MAX_ALIAS);
}

/** The application (who may do what) and its features. */
type FeatureStores = Pick<Stores, 'applications' | 'features' | 'featureFilters'>;

/** Creating a feature also gives a new flag a value in every environment. */
type NewFeatureStores = Pick<
  Stores,
  'applications' | 'environments' | 'features' | 'featureValues' | 'featureFilters'
>;

async function featureOf(
  tx: Pick<Stores, 'features'>,
  applicationId: string,
  keyOrId: string,
): Promise<Feature> {
  const feature = await findFeatureByKeyOrId(tx, applicationId, keyOrId);
  if (!feature) throw new NotFoundError(`no feature "${keyOrId}" in application ${applicationId}`);
  return feature;
}

/** All live features of the application, by key. */
export async function listFeatures(
  tx: FeatureStores,
  access: Access,
  applicationId: string,
): Promise<Feature[]> {
  await applicationWithReadableFeatures(tx, access, applicationId);
  return tx.features.list({ applicationId });
}

export async function getFeature(
  tx: FeatureStores,
  access: Access,
  applicationId: string,
  keyOrId: string,
): Promise<Feature> {
  await applicationWithReadableFeatures(tx, access, applicationId);
  return featureOf(tx, applicationId, keyOrId);
}

/**
 * Creates a feature (409 on a duplicate key). A BOOLEAN feature gets the value `false`, locked, in
 * every environment of the application, so a flag is never "not set"; other types start unset.
 * Returns all the application's features.
 */
export async function createFeature(
  tx: NewFeatureStores,
  changes: ChangeSet,
  access: Access,
  applicationId: string,
  input: NewFeature,
): Promise<Feature[]> {
  const app = await applicationOf(tx, applicationId);
  if (!access.canCreateFeature(app))
    throw new ForbiddenError('You may not create features in this application');
  checkOptionalFields(input);
  const filters = await checkedFilterIds(tx, app.portfolioId, input.filters);
  const feature = await tx.features.create({
    applicationId,
    key: checkKey(input.key),
    name: checkName(input.name),
    valueType: input.valueType,
    description: input.description ?? null,
    link: input.link ?? null,
    metaData: input.metaData ?? null,
    alias: input.alias ?? null,
    secret: input.secret ?? false,
  });
  if (filters.length > 0) await tx.featureFilters.setFeatureFilters(feature.id, filters);
  if (feature.valueType === 'BOOLEAN') {
    for (const env of await tx.environments.list({ applicationId })) {
      await tx.featureValues.create({
        environmentId: env.id,
        featureId: feature.id,
        value: 'false',
        locked: true,
        whoUpdated: access.personId,
      });
    }
  }
  changes.featureChanged(applicationId, feature.id, 'upsert');
  return tx.features.list({ applicationId });
}

/**
 * Updates the feature found by `keyOrId` (a key change is a rename: 409 if the new key is taken;
 * 422 if `version` is stale). Returns the updated feature.
 */
export async function updateFeature(
  tx: FeatureStores,
  changes: ChangeSet,
  access: Access,
  applicationId: string,
  keyOrId: string,
  update: FeatureChanges,
): Promise<Feature> {
  const app = await applicationOf(tx, applicationId);
  if (!access.canEditFeature(app)) throw new ForbiddenError('You may not edit features in this application');
  const current = await featureOf(tx, applicationId, keyOrId);
  if (update.version !== undefined && update.version !== current.version) {
    throw new StaleVersionError(
      `feature ${current.key} is at version ${current.version}, not ${update.version}; reload and try again`,
    );
  }
  checkOptionalFields(update);
  const patch: UpdateFeature = { version: current.version };
  if (update.key !== undefined && update.key !== current.key) patch.key = checkKey(update.key);
  if (update.name !== undefined) patch.name = checkName(update.name);
  if (update.valueType !== undefined) patch.valueType = update.valueType;
  if (update.description !== undefined) patch.description = update.description;
  if (update.link !== undefined) patch.link = update.link;
  if (update.metaData !== undefined) patch.metaData = update.metaData;
  if (update.alias !== undefined) patch.alias = update.alias;
  if (update.secret !== undefined) patch.secret = update.secret ?? false;
  const unchanged = Object.entries(patch).every(
    ([field, value]) => field === 'version' || current[field as keyof Feature] === value,
  );
  let filtersChanged = false;
  if (update.filters !== undefined) {
    const wanted = await checkedFilterIds(tx, app.portfolioId, update.filters);
    const held = (await tx.featureFilters.filtersOfFeatures([current.id])).get(current.id) ?? [];
    if (wanted.join() !== held.join()) {
      await tx.featureFilters.setFeatureFilters(current.id, wanted);
      filtersChanged = true;
    }
  }
  // A filter change bumps the feature's version too, so caches take the new definition.
  if (unchanged && !filtersChanged) return current;
  const updated = await tx.features.update(current.id, patch);
  changes.featureChanged(applicationId, updated.id, 'upsert');
  return updated;
}

/** Archives the feature (its key becomes free); returns the remaining features. */
export async function deleteFeature(
  tx: FeatureStores,
  changes: ChangeSet,
  access: Access,
  applicationId: string,
  keyOrId: string,
): Promise<Feature[]> {
  const app = await applicationOf(tx, applicationId);
  if (!access.canDeleteFeature(app))
    throw new ForbiddenError('You may not delete features in this application');
  const feature = await featureOf(tx, applicationId, keyOrId);
  await tx.features.archive(feature.id);
  changes.featureChanged(applicationId, feature.id, 'delete');
  return tx.features.list({ applicationId });
}
