import { UnauthorizedError } from '@fh/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OperationWithId } from '../api/mr-api-plugin.ts';
import type { Stores } from '../db/stores.ts';
import { type Principal, setPrincipal } from './principal.ts';

/** Finds the bearer token in `Authorization: Bearer …` or, for browsers after SSO, the `bearer-token` cookie. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
    return m?.[1];
  }
  const cookie = request.headers.cookie;
  if (typeof cookie === 'string') {
    const m = /(?:^|;\s*)bearer-token=([^;]{1,512})/.exec(cookie);
    if (m?.[1]) return decodeURIComponent(m[1]);
  }
  return undefined;
}

/**
 * Resolves bearer tokens to principals. `last_seen` is written at most once a minute per session so
 * that authenticated reads do not each cost a database write.
 */
export class Authenticator {
  readonly #stores: Stores;
  readonly #touched = new Map<string, number>();
  readonly #now: () => number;

  constructor(stores: Stores, now: () => number = Date.now) {
    this.#stores = stores;
    this.#now = now;
  }

  async principalFor(token: string): Promise<Principal | undefined> {
    const session = await this.#stores.sessions.findByToken(token);
    if (!session) return undefined;
    const person = await this.#stores.persons.findById(session.personId);
    if (!person || person.personType === 'sdkServiceAccount') return undefined;
    const now = this.#now();
    const last = this.#touched.get(token) ?? 0;
    if (now - last > 60_000) {
      this.#touched.set(token, now);
      if (this.#touched.size > 50_000) this.#touched.clear();
      await this.#stores.sessions.touch(token);
    }
    return {
      personId: person.id,
      email: person.email,
      name: person.name,
      personType: person.personType,
      passwordRequiresReset: person.passwordRequiresReset,
      token,
    };
  }

  /** The `authenticate` hook for the admin API: 401 "Please login." unless a valid session is presented. */
  readonly authenticate = async (
    request: FastifyRequest,
    _reply: FastifyReply,
    operation: OperationWithId,
  ) => {
    const token = bearerToken(request);
    if (!token) throw new UnauthorizedError();
    const principal = await this.principalFor(token);
    if (!principal) throw new UnauthorizedError();
    if (principal.passwordRequiresReset && !operation.allowedDuringPasswordReset) {
      throw new UnauthorizedError('Your password must be replaced before you can continue.');
    }
    setPrincipal(request, principal);
  };

  forget(token: string): void {
    this.#touched.delete(token);
  }
}
