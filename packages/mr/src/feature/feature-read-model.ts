import { ForbiddenError } from '@fh/service-kit';
import { applicationOf } from '../application/application-read-model.ts';
import type { Application } from '../application/application-store.ts';
import type { Stores } from '../db/stores.ts';
import type { Access } from '../permission/access.ts';
import type { Feature } from './feature-store.ts';

// What other slices read about features: the application whose features a caller may read, and the live
// feature a key (or id) names.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The live application whose features the caller may read (any role in the application, or admin): 404 when
 * there is none, 403 when they may not.
 */
export async function applicationWithReadableFeatures(
  stores: Pick<Stores, 'applications'>,
  access: Access,
  applicationId: string,
): Promise<Application> {
  const app = await applicationOf(stores, applicationId);
  if (!access.canReadApplication(app))
    throw new ForbiddenError('You have no access to the features of this application');
  return app;
}

/**
 * The live feature with this key in the application; like upstream, a key that is not found but looks
 * like a UUID is tried as the feature's id.
 */
export async function findFeatureByKeyOrId(
  stores: Pick<Stores, 'features'>,
  applicationId: string,
  keyOrId: string,
): Promise<Feature | undefined> {
  const byKey = await stores.features.findByKey(applicationId, keyOrId);
  if (byKey || !UUID.test(keyOrId)) return byKey;
  const byId = await stores.features.findById(keyOrId);
  return byId?.applicationId === applicationId ? byId : undefined;
}
