import type { TokenizedPerson as ApiTokenizedPerson } from '../api/index.ts';
import type { Stores } from '../db/stores.ts';
import { apiGroupsOfPerson } from '../group/group-queries.ts';
import { toApiPerson } from '../person/person-mapper.ts';
import { capabilityInfo } from '../setup/capabilities.ts';
import type { LoggedIn } from './auth-service.ts';

/**
 * The answer to a login, registration, setup or password replacement: the token and who it is for, with their
 * groups and the groups' application and environment roles (upstream fills Groups and Acls on login, registration
 * and setup; clients decide from them what to offer).
 */
export async function toApiTokenizedPerson(stores: Stores, loggedIn: LoggedIn): Promise<ApiTokenizedPerson> {
  const groups = await apiGroupsOfPerson(stores, loggedIn.person.id, { includeAcls: true });
  return {
    accessToken: loggedIn.token,
    person: toApiPerson(loggedIn.person, { groups }),
    capabilityInfo: capabilityInfo(),
  };
}
