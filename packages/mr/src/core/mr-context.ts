import type { Logger } from '@fh/service-kit';
import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.ts';
import type { LoginRateLimiter } from '../auth/login-rate-limiter.ts';
import type { PasswordHasher } from '../auth/password-hasher.ts';
import { type Principal, principalOf } from '../auth/principal.ts';
import type { Clock, IdGenerator } from '../db/store-support.ts';
import type { Stores } from '../db/stores.ts';
import { type Access, resolveAccess } from '../permission/access.ts';
import type { SingleSignOn } from '../sso/single-sign-on.ts';
import { noSso, type SsoConfig } from '../sso/sso-config.ts';
import type { UnitOfWork } from './unit-of-work.ts';

/**
 * Operator settings of the Management Repository (docs/admin-api-rules.md §Operator settings), with
 * upstream's defaults.
 */
export interface MrSettings {
  /** Name and description of the environment every new application starts with. */
  productionEnvironmentName: string;
  productionEnvironmentDescription: string;
  /** Suffix of the admin group created with each portfolio: "<portfolio> Administrators". */
  portfolioAdminGroupSuffix: string;
  /** Base of registration links: `${siteUrl}/register-url?token=...`. */
  siteUrl: string;
  /** How long a registration token stays valid. */
  registrationTokenDays: number;
  /** Single sign-on and whether local (password) login is on (docs/single-sign-on.md). */
  sso: SsoConfig;
}

export const defaultMrSettings: MrSettings = {
  productionEnvironmentName: 'production',
  productionEnvironmentDescription: 'production',
  portfolioAdminGroupSuffix: 'Administrators',
  siteUrl: 'http://localhost:8085',
  registrationTokenDays: 7,
  sso: noSso(),
};

/** What every MR controller and service is built from. Constructed once, in registerManagementRepository. */
export interface MrContext {
  readonly uow: UnitOfWork;
  /** Stores outside any transaction, for reads. */
  readonly stores: Stores;
  readonly authenticator: Authenticator;
  readonly hasher: PasswordHasher;
  readonly loginLimiter: LoginRateLimiter;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly settings: MrSettings;
  /** The configured identity providers and the sign-ins in flight. */
  readonly sso: SingleSignOn;
  /** Checks and encrypts an environment's merged webhook settings before they are saved (ADR 0010). */
  sealWebhookInfo(merged: Record<string, string>, current: Record<string, string>): Record<string, string>;
  /** An environment's stored webhook settings in clear (`decryptWebhookDetails`), without salts. */
  revealWebhookInfo(stored: Record<string, string>): Record<string, string>;
  /** The caller of an authenticated operation. */
  principal(request: FastifyRequest): Principal;
  /** What the caller may do; computed once per request. */
  access(request: FastifyRequest): Promise<Access>;
}

const ACCESS = Symbol('fh.access');

/** Memoises resolveAccess on the request so several checks in one request cost one lookup. */
export function accessFor(stores: Stores) {
  return (request: FastifyRequest): Promise<Access> => {
    const holder = request as unknown as Record<symbol, Promise<Access> | undefined>;
    let pending = holder[ACCESS];
    if (!pending) {
      pending = resolveAccess(stores, principalOf(request).personId);
      holder[ACCESS] = pending;
    }
    return pending;
  };
}
