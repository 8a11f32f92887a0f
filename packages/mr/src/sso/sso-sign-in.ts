import { AppError } from '@fh/service-kit';
import { type LoggedIn, startSession } from '../auth/auth-service.ts';
import type { Clock } from '../db/store-support.ts';
import type { Stores } from '../db/stores.ts';
import { addGroupMember, findSuperuserGroup } from '../group/admin-groups.ts';
import type { Person } from '../person/person-store.ts';

/** Why a single sign-on did not sign anyone in; the code travels to the admin UI's failure page. */
export type SsoFailure =
  | 'denied'
  | 'invalid'
  | 'unknown_user'
  | 'archived'
  | 'not_set_up'
  | 'email_domain'
  | 'unavailable';

/** A refused single sign-on: nobody is signed in and nothing is written. */
export class SsoRefusedError extends AppError {
  constructor(
    readonly reason: SsoFailure,
    message: string,
  ) {
    super(reason === 'unavailable' ? 502 : 403, `sso_${reason}`, message);
  }
}

/** Who the identity provider says signed in, after its answer was verified. */
export interface SsoIdentity {
  email: string;
  name: string;
}

type SignInStores = Pick<Stores, 'groups' | 'organisations' | 'persons' | 'sessions'>;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * The end of every single sign-on (OIDC and SAML), as upstream: the person is found by email or created
 * (unless `auth.userMustBeCreatedFirst`), their name follows the provider, and a session opens. The first
 * person to sign in on a site set up for single sign-on (an empty superuser group) becomes its superuser.
 */
export class SsoSignIn {
  readonly #clock: Clock;
  readonly #userMustBeCreatedFirst: boolean;

  constructor(deps: { clock: Clock; userMustBeCreatedFirst: boolean }) {
    this.#clock = deps.clock;
    this.#userMustBeCreatedFirst = deps.userMustBeCreatedFirst;
  }

  async complete(tx: SignInStores, identity: SsoIdentity): Promise<LoggedIn> {
    const organisation = await tx.organisations.findFirst();
    if (!organisation) throw new SsoRefusedError('not_set_up', 'FeatureHub has not been set up yet');
    const email = identity.email.trim().toLowerCase();
    if (!EMAIL.test(email) || email.length > 100) {
      throw new SsoRefusedError('invalid', 'The identity provider gave no usable email address');
    }
    const name = identity.name.trim().slice(0, 100) || email;
    const now = this.#clock.now();
    const existing = await tx.persons.findByEmail(email, { includeArchived: true });
    let person: Person;
    if (existing) {
      if (existing.whenArchived !== null) {
        throw new SsoRefusedError('archived', `${email} has been deactivated in FeatureHub`);
      }
      if (existing.personType !== 'person') {
        throw new SsoRefusedError('unknown_user', `${email} is not a person's account`);
      }
      // Someone an admin created (with a pending registration link) is registered once the provider vouches
      // for them, as upstream: the link stops working, and the admin UI no longer shows them as pending.
      person = await tx.persons.update(existing.id, {
        name,
        whenLastAuthenticated: now,
        ...(existing.registrationToken !== null
          ? { registrationToken: null, registrationTokenExpiry: null }
          : {}),
      });
    } else {
      const superusers = await findSuperuserGroup(tx, organisation.id);
      const firstOfSite =
        superusers !== undefined && (await tx.groups.listMemberIds(superusers.id)).length === 0;
      if (this.#userMustBeCreatedFirst && !firstOfSite) {
        throw new SsoRefusedError('unknown_user', `${email} has no FeatureHub account; ask an administrator`);
      }
      const created = await tx.persons.create({ email, name, personType: 'person' });
      if (firstOfSite) await addGroupMember(tx, superusers, created.id);
      person = await tx.persons.update(created.id, { whenLastAuthenticated: now });
    }
    return { person, token: await startSession(tx, person.id) };
  }
}
