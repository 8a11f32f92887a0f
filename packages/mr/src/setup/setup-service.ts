import { BadRequestError, ConflictError } from '@fh/service-kit';
import { type LoggedIn, startSession } from '../auth/auth-service.ts';
import type { PasswordHasher } from '../auth/password-hasher.ts';
import { checkNewPassword } from '../auth/password-policy.ts';
import type { MrSettings } from '../core/mr-context.ts';
import type { Clock } from '../db/store-support.ts';
import type { Stores } from '../db/stores.ts';
import {
  addGroupMember,
  createPortfolioAdminGroup,
  findSuperuserGroup,
  SUPERUSER_GROUP_NAME,
} from '../group/admin-groups.ts';
import type { Group } from '../group/group-store.ts';
import type { Organisation } from '../organisation/organisation-store.ts';

/**
 * The id of the install's organisation. Fixed so that two setups racing each other insert the same
 * primary key: the database lets exactly one of them commit, on every dialect and across processes.
 */
export const ORGANISATION_ID = '00000000-0000-4000-8000-000000000001';

/** The password way to log in; single sign-on providers come from the configuration (SingleSignOn). */
export const LOGIN_PROVIDERS = ['local'] as const;

export interface SetupInput {
  organizationName: string;
  portfolio: string;
  name?: string | null;
  emailAddress?: string | null;
  password?: string | null;
  authProvider?: string | null;
}

/** A setup request that passed validation, with its password already hashed. */
export interface PreparedSetup {
  organisationName: string;
  portfolioName: string;
  name: string;
  email: string;
  passwordHash: string;
}

export interface Installed {
  organisation: Organisation;
  superuserGroup: Group | undefined;
}

export interface SetupServiceDeps {
  hasher: PasswordHasher;
  clock: Clock;
  settings: Pick<MrSettings, 'portfolioAdminGroupSuffix'>;
}

function required(value: string | null | undefined, what: string, max: number): string {
  const v = (value ?? '').trim();
  if (v === '') throw new BadRequestError(`${what} must not be blank`);
  if (v.length > max) throw new BadRequestError(`${what} must be at most ${max} characters long`);
  return v;
}

/** What setting up writes: the organisation, its first portfolio, groups and superuser, and a session. */
type SetupStores = Pick<Stores, 'groups' | 'organisations' | 'persons' | 'portfolios' | 'sessions'>;

/**
 * The first-user flow (docs/admin-api-rules.md §Setup): one organisation, its first portfolio and its first
 * superuser.
 */
export class SetupService {
  readonly #deps: SetupServiceDeps;

  constructor(deps: SetupServiceDeps) {
    this.#deps = deps;
  }

  /** The organisation once set up, with its superuser group. */
  async installed(stores: SetupStores): Promise<Installed | undefined> {
    const organisation = await stores.organisations.findFirst();
    if (!organisation) return undefined;
    return { organisation, superuserGroup: await findSuperuserGroup(stores, organisation.id) };
  }

  /**
   * 409 once set up. Callers check this before prepare(): anyone may call setup, and prepare() hashes
   * a password, which must not be work an anonymous caller can make the server do again and again.
   */
  async requireNotSetUp(stores: SetupStores): Promise<void> {
    if (await stores.organisations.findFirst()) throw alreadySetUp();
  }

  /** Validates the request and hashes the password, before any transaction starts. */
  async prepare(input: SetupInput): Promise<PreparedSetup> {
    if (input.authProvider && !(LOGIN_PROVIDERS as readonly string[]).includes(input.authProvider)) {
      throw new BadRequestError(`Unknown login provider "${input.authProvider}"; this server offers: local`);
    }
    const prepared = {
      organisationName: required(input.organizationName, 'The organization name', 255),
      portfolioName: required(input.portfolio, 'The portfolio name', 200),
      name: required(input.name, 'The name', 150),
      email: required(input.emailAddress, 'The email address', 100).toLowerCase(),
    };
    const password = input.password ?? '';
    checkNewPassword(password);
    return { ...prepared, passwordHash: await this.#deps.hasher.hash(password) };
  }

  /**
   * Creates the organisation, its superuser group, the first portfolio with its administrators group
   * and the first person (a member of both groups), and logs that person in. 409 once set up.
   */
  async setUp(tx: SetupStores, input: PreparedSetup): Promise<LoggedIn & { organisation: Organisation }> {
    const { organisation, superusers } = await this.#createOrganisation(tx, input.organisationName);
    const person = await tx.persons.create({
      email: input.email,
      name: input.name,
      personType: 'person',
      passwordHash: input.passwordHash,
      passwordAlgorithm: 'scrypt',
    });
    await addGroupMember(tx, superusers, person.id);
    await this.#createPortfolio(tx, organisation, input.portfolioName, person.id);
    const loggedIn = await tx.persons.update(person.id, { whenLastAuthenticated: this.#deps.clock.now() });
    return { organisation, person: loggedIn, token: await startSession(tx, person.id) };
  }

  /** Checks a setup for single sign-on: only the organisation's and the first portfolio's names. */
  prepareForSso(input: SetupInput): { organisationName: string; portfolioName: string } {
    return {
      organisationName: required(input.organizationName, 'The organization name', 255),
      portfolioName: required(input.portfolio, 'The portfolio name', 200),
    };
  }

  /**
   * Setup for single sign-on (upstream's SSO variant): the organisation, its empty superuser group and the
   * first portfolio with its administrators group. The first person to sign in becomes the superuser.
   */
  async setUpForSso(
    tx: SetupStores,
    input: { organisationName: string; portfolioName: string },
  ): Promise<Organisation> {
    const { organisation } = await this.#createOrganisation(tx, input.organisationName);
    await this.#createPortfolio(tx, organisation, input.portfolioName, null);
    return organisation;
  }

  async #createOrganisation(tx: SetupStores, name: string) {
    if (await tx.organisations.findFirst()) throw alreadySetUp();
    let organisation: Organisation;
    try {
      organisation = await tx.organisations.create({ id: ORGANISATION_ID, name });
    } catch (err) {
      if (err instanceof ConflictError) throw alreadySetUp();
      throw err;
    }
    const superusers = await tx.groups.create({
      organisationId: organisation.id,
      name: SUPERUSER_GROUP_NAME,
      admin: true,
    });
    organisation = await tx.organisations.update(organisation.id, { groupId: superusers.id });
    return { organisation, superusers };
  }

  async #createPortfolio(
    tx: SetupStores,
    organisation: Organisation,
    name: string,
    createdBy: string | null,
  ): Promise<void> {
    const portfolio = await tx.portfolios.create({ organisationId: organisation.id, name, createdBy });
    await createPortfolioAdminGroup(tx, {
      organisationId: organisation.id,
      portfolioId: portfolio.id,
      portfolioName: portfolio.name,
      suffix: this.#deps.settings.portfolioAdminGroupSuffix,
      createdBy,
    });
  }
}

const alreadySetUp = () => new ConflictError('FeatureHub has already been set up', 'already_initialized');
