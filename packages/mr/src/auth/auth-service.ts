import { randomUUID } from 'node:crypto';
import { AppError, BadRequestError, ForbiddenError, NotFoundError } from '@fh/service-kit';
import type { MrSettings } from '../core/mr-context.ts';
import type { Clock } from '../db/store-support.ts';
import type { Stores } from '../db/stores.ts';
import { requireMayManagePerson } from '../group/admin-groups.ts';
import type { Access } from '../permission/access.ts';
import type { Person } from '../person/person-store.ts';
import type { LoginRateLimiter } from './login-rate-limiter.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { checkNewPassword } from './password-policy.ts';
import type { Principal } from './principal.ts';
import { randomAlphanumeric } from './tokens.ts';
import { isUpstreamPasswordHash, verifyUpstreamPassword } from './upstream-password.ts';

/** People, their sessions, and the groups that say who may manage whom. */
type AuthStores = Pick<Stores, 'groups' | 'persons' | 'sessions'>;

/** Login session tokens: 36 random letters and digits, as upstream. */
export const SESSION_TOKEN_LENGTH = 36;
/** Admin service account bearer tokens: 48 random letters and digits, as upstream. */
export const ADMIN_TOKEN_LENGTH = 48;

/** Opens a session for the person and returns its token (only the token's hash is stored). */
export async function startSession(
  tx: Pick<Stores, 'sessions'>,
  personId: string,
  length = SESSION_TOKEN_LENGTH,
) {
  const token = randomAlphanumeric(length);
  await tx.sessions.create(token, personId);
  return token;
}

/** A new registration token and when it stops working. */
export function newRegistrationToken(clock: Clock, days: number): { token: string; expiry: Date } {
  return { token: randomUUID(), expiry: new Date(clock.now().getTime() + days * 24 * 3600 * 1000) };
}

/** The link an admin hands to a new user: `${siteUrl}/register-url?token=...`. */
export function registrationUrlFor(siteUrl: string, token: string): string {
  return `${siteUrl.replace(/\/+$/, '')}/register-url?token=${encodeURIComponent(token)}`;
}

/** Refused because this account or client address failed to log in too often recently. */
export class TooManyLoginAttemptsError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'too_many_attempts', `Too many failed logins; try again in ${retryAfterSeconds} seconds`);
  }
}

/** A person who has just been given a session. */
export interface LoggedIn {
  token: string;
  person: Person;
}

export interface AuthServiceDeps {
  hasher: PasswordHasher;
  loginLimiter: LoginRateLimiter;
  clock: Clock;
  settings: Pick<MrSettings, 'registrationTokenDays' | 'siteUrl'>;
}

// Upstream answers 404 to a failed login and the admin UI relies on that.
const badCredentials = () => new NotFoundError('The email or password is not right');

/**
 * Local accounts: login and logout, registration by token, and the three ways a password changes.
 * Slow steps (scrypt) run outside transactions: the controller calls the `check*`/`hash*` steps first
 * and applies the result in a transaction, with the version it read so a concurrent change is a 422.
 */
export class AuthService {
  readonly #deps: AuthServiceDeps;
  #dummyHash: Promise<string> | undefined;

  constructor(deps: AuthServiceDeps) {
    this.#deps = deps;
  }

  /** Checks the policy, then hashes. */
  async hashNewPassword(password: string, confirm?: string): Promise<string> {
    checkNewPassword(password, confirm);
    return this.#deps.hasher.hash(password);
  }

  // ---- login / logout ----

  /**
   * The person these credentials belong to. Unknown emails, deactivated people, accounts that are not
   * a `person` and wrong passwords all get the same 404 after the same work, so answers do not tell
   * which emails exist; failures count against the account and the client address.
   */
  async checkLogin(stores: AuthStores, input: { email: string; password: string; address: string }) {
    const { email, password, address } = input;
    const wait = this.#deps.loginLimiter.retryAfterSeconds(email, address);
    if (wait > 0) throw new TooManyLoginAttemptsError(wait);
    if (password === '') throw new BadRequestError('The password must not be blank');
    const person = await stores.persons.findByEmail(email);
    const usable = person && person.personType === 'person' && person.passwordHash ? person : undefined;
    const ok = usable
      ? await this.#verifyStored(password, usable)
      : await this.#deps.hasher.verify(password, await this.#dummy()).then(() => false);
    if (!ok || !usable) {
      this.#deps.loginLimiter.recordFailure(email, address);
      throw badCredentials();
    }
    this.#deps.loginLimiter.recordSuccess(email);
    return usable;
  }

  /**
   * Our hash of the password when the person's stored one is upstream FeatureHub's PBKDF2 form (checked
   * by checkLogin just before), so the login can replace it; undefined when it is already ours.
   */
  async rehashIfUpstream(person: Person, password: string): Promise<string | undefined> {
    if (!person.passwordHash || !isUpstreamPasswordHash(person.passwordHash)) return undefined;
    return this.#deps.hasher.hash(password);
  }

  /** Records the login and opens the session; `upgradedHash` (from rehashIfUpstream) replaces the old hash. */
  async openSession(tx: AuthStores, person: Person, upgradedHash?: string): Promise<LoggedIn> {
    const updated = await tx.persons.update(person.id, {
      whenLastAuthenticated: this.#deps.clock.now(),
      ...(upgradedHash === undefined ? {} : { passwordHash: upgradedHash, passwordAlgorithm: 'scrypt' }),
    });
    return { token: await startSession(tx, person.id), person: updated };
  }

  /** Ends exactly the session of this request. */
  async logout(tx: AuthStores, principal: Principal): Promise<void> {
    await tx.sessions.delete(principal.token);
  }

  // ---- registration ----

  /** The person a live registration token belongs to; 404 when unknown, used, expired or deactivated. */
  async findRegistration(stores: AuthStores, token: string): Promise<Person> {
    const person = token.trim() === '' ? undefined : await stores.persons.findByRegistrationToken(token);
    if (
      !person ||
      person.whenArchived !== null ||
      person.personType !== 'person' ||
      (person.registrationTokenExpiry !== null &&
        person.registrationTokenExpiry.getTime() < this.#deps.clock.now().getTime())
    ) {
      throw new NotFoundError('This registration link is not valid or has expired');
    }
    return person;
  }

  /** Checks a registration before its password is hashed. */
  async checkRegistration(
    stores: AuthStores,
    input: { token: string; email: string; name: string },
  ): Promise<Person> {
    const person = await this.findRegistration(stores, input.token);
    if (input.email.trim().toLowerCase() !== person.email) {
      throw new BadRequestError('The email address is not the one this registration link was made for');
    }
    if (input.name.trim() === '') throw new BadRequestError('The name must not be blank');
    return person;
  }

  /** Completes a registration checked by checkRegistration and logs the person in. */
  async register(
    tx: AuthStores,
    person: Person,
    input: { name: string; passwordHash: string },
  ): Promise<LoggedIn> {
    await tx.persons.update(person.id, {
      name: input.name.trim(),
      passwordHash: input.passwordHash,
      passwordAlgorithm: 'scrypt',
      passwordRequiresReset: false,
      registrationToken: null,
      registrationTokenExpiry: null,
      changedBy: person.id,
      version: person.version,
    });
    return this.openSession(tx, person);
  }

  /** An admin renews the registration link of someone who has not registered yet. */
  async renewRegistration(tx: AuthStores, access: Access, email: string) {
    access.requireAnyAdmin();
    const person = await tx.persons.findByEmail(email);
    if (person?.personType !== 'person') throw new NotFoundError(`No person with email ${email}`);
    if (person.passwordHash !== null && person.registrationToken === null) {
      throw new BadRequestError(`${person.email} has already registered`);
    }
    await requireMayManagePerson(tx, access, person.id);
    const { token, expiry } = newRegistrationToken(
      this.#deps.clock,
      this.#deps.settings.registrationTokenDays,
    );
    await tx.persons.update(person.id, {
      registrationToken: token,
      registrationTokenExpiry: expiry,
      changedBy: access.personId,
    });
    return {
      personId: person.id,
      token,
      registrationUrl: registrationUrlFor(this.#deps.settings.siteUrl, token),
    };
  }

  // ---- passwords ----

  /**
   * Replacing a temporary password: only your own, and only while it must be replaced. Every session of
   * the person ends (the temporary one too) and a new one starts.
   */
  async checkReplaceTempPassword(stores: AuthStores, principal: Principal, personId: string) {
    if (principal.personId !== personId) {
      throw new ForbiddenError('You can only replace your own temporary password');
    }
    const person = await stores.persons.findById(personId);
    if (!person) throw new NotFoundError(`person ${personId} not found`);
    if (!person.passwordRequiresReset) throw new BadRequestError('There is no temporary password to replace');
    return person;
  }

  async replaceTempPassword(tx: AuthStores, person: Person, passwordHash: string): Promise<LoggedIn> {
    const updated = await tx.persons.update(person.id, {
      passwordHash,
      passwordAlgorithm: 'scrypt',
      passwordRequiresReset: false,
      whenLastAuthenticated: this.#deps.clock.now(),
      changedBy: person.id,
      version: person.version,
    });
    await tx.sessions.deleteForPerson(person.id);
    return { token: await startSession(tx, person.id), person: updated };
  }

  /**
   * Changing a password: yours, or anyone's if you are a superuser; the old password must be given
   * either way (400 when it is wrong).
   */
  async checkChangePassword(
    stores: AuthStores,
    access: Access,
    personId: string,
    oldPassword: string,
  ): Promise<Person> {
    if (access.personId !== personId) access.requireSuperuser();
    const person = await stores.persons.findById(personId);
    if (!person) throw new NotFoundError(`person ${personId} not found`);
    if (person.personType !== 'person' || !person.passwordHash) {
      throw new BadRequestError('This account has no password');
    }
    if (!(await this.#verifyStored(oldPassword, person))) {
      throw new BadRequestError('The old password is not right');
    }
    return person;
  }

  /** Sets the new password and ends the person's other sessions (the caller's own one stays). */
  async changePassword(
    tx: AuthStores,
    principal: Principal,
    person: Person,
    passwordHash: string,
  ): Promise<Person> {
    const updated = await tx.persons.update(person.id, {
      passwordHash,
      passwordAlgorithm: 'scrypt',
      passwordRequiresReset: false,
      changedBy: principal.personId,
      version: person.version,
    });
    await tx.sessions.deleteForPerson(person.id);
    if (principal.personId === person.id) await tx.sessions.create(principal.token, person.id);
    return updated;
  }

  /**
   * An admin gives someone else a temporary password they must replace at their next login (only to
   * people whose groups the admin administers: see requireMayManagePerson).
   */
  async checkResetPassword(
    stores: AuthStores,
    access: Access,
    personId: string,
    reactivate: boolean,
  ): Promise<Person> {
    access.requireAnyAdmin();
    if (personId === access.personId) {
      throw new BadRequestError('Use changePassword to change your own password');
    }
    const person = await stores.persons.findById(personId, { includeArchived: true });
    if (!person || person.personType === 'sdkServiceAccount') {
      throw new NotFoundError(`person ${personId} not found`);
    }
    if (person.personType !== 'person') {
      throw new BadRequestError('Only people have passwords; reset an admin service account’s token instead');
    }
    if (person.whenArchived !== null && !reactivate) {
      throw new BadRequestError('This person is deactivated; set reactivate to restore them');
    }
    await requireMayManagePerson(stores, access, personId);
    return person;
  }

  async resetPassword(tx: AuthStores, access: Access, person: Person, passwordHash: string): Promise<Person> {
    if (person.whenArchived !== null) await tx.persons.unarchive(person.id);
    const updated = await tx.persons.update(person.id, {
      passwordHash,
      passwordAlgorithm: 'scrypt',
      passwordRequiresReset: true,
      registrationToken: null,
      registrationTokenExpiry: null,
      changedBy: access.personId,
      ...(person.whenArchived === null ? { version: person.version } : {}),
    });
    await tx.sessions.deleteForPerson(person.id);
    return updated;
  }

  /** Our own hashes through the hasher; upstream's PBKDF2 ones (people who came across) directly. */
  #verifyStored(password: string, person: Person): Promise<boolean> {
    const stored = person.passwordHash!;
    return isUpstreamPasswordHash(stored)
      ? verifyUpstreamPassword(password, stored, person.passwordAlgorithm)
      : this.#deps.hasher.verify(password, stored);
  }

  #dummy(): Promise<string> {
    this.#dummyHash ??= this.#deps.hasher.hash(randomAlphanumeric(16));
    return this.#dummyHash;
  }
}
