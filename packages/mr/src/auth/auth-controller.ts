import { ForbiddenError } from '@fh/service-kit';
import type { FastifyInstance } from 'fastify';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import { apiGroupsOfPerson } from '../group/group-queries.ts';
import { toApiPerson } from '../person/person-mapper.ts';
import { toApiTokenizedPerson } from './auth-mapper.ts';
import { AuthService, TooManyLoginAttemptsError } from './auth-service.ts';

/** Login, logout, registration and passwords (AuthService of the admin API). */
export function registerAuthRoutes(app: FastifyInstance, ctx: MrContext): void {
  const auth = new AuthService({
    hasher: ctx.hasher,
    loginLimiter: ctx.loginLimiter,
    clock: ctx.clock,
    settings: ctx.settings,
  });

  /** With `auth.disable-login` no password is set, changed or checked: people sign in by single sign-on. */
  const refuseWhenLocalLoginOff = (what: string): void => {
    if (!ctx.sso.localLoginEnabled) {
      throw new ForbiddenError(
        `${what} is switched off on this server (auth.disable-login); use single sign-on`,
      );
    }
  };

  route(app, 'login', async (request, reply) => {
    refuseWhenLocalLoginOff('Signing in with a password');
    try {
      const { email, password } = request.body;
      const person = await auth.checkLogin(ctx.stores, { email, password, address: request.ip });
      const upgradedHash = await auth.rehashIfUpstream(person, password);
      const loggedIn = await ctx.uow.run((tx) => auth.openSession(tx, person, upgradedHash));
      return await toApiTokenizedPerson(ctx.stores, loggedIn);
    } catch (err) {
      if (!(err instanceof TooManyLoginAttemptsError)) throw err;
      return reply
        .code(429)
        .header('retry-after', String(err.retryAfterSeconds))
        .send({ code: err.code, message: err.message });
    }
  });

  route(app, 'logout', async (request) => {
    const principal = ctx.principal(request);
    await ctx.uow.run((tx) => auth.logout(tx, principal));
    ctx.authenticator.forget(principal.token);
    return undefined;
  });

  route(app, 'personByToken', async (request) =>
    toApiPerson(await auth.findRegistration(ctx.stores, request.params.token)),
  );

  route(app, 'registerPerson', async (request) => {
    refuseWhenLocalLoginOff('Registering with a password');
    const { registrationToken, email, name, password, confirmPassword } = request.body;
    const person = await auth.checkRegistration(ctx.stores, { token: registrationToken, email, name });
    const passwordHash = await auth.hashNewPassword(password, confirmPassword);
    const loggedIn = await ctx.uow.run((tx) => auth.register(tx, person, { name, passwordHash }));
    return toApiTokenizedPerson(ctx.stores, loggedIn);
  });

  route(app, 'replaceTempPassword', async (request) => {
    const principal = ctx.principal(request);
    refuseWhenLocalLoginOff('Setting a password');
    const person = await auth.checkReplaceTempPassword(ctx.stores, principal, request.params.id);
    const passwordHash = await auth.hashNewPassword(request.body.password);
    const loggedIn = await ctx.uow.run((tx) => auth.replaceTempPassword(tx, person, passwordHash));
    ctx.authenticator.forget(principal.token);
    return toApiTokenizedPerson(ctx.stores, loggedIn);
  });

  route(app, 'changePassword', async (request) => {
    const principal = ctx.principal(request);
    refuseWhenLocalLoginOff('Changing a password');
    const access = await ctx.access(request);
    const { oldPassword, newPassword } = request.body;
    const person = await auth.checkChangePassword(ctx.stores, access, request.params.id, oldPassword);
    const passwordHash = await auth.hashNewPassword(newPassword);
    const updated = await ctx.uow.run((tx) => auth.changePassword(tx, principal, person, passwordHash));
    return toApiPerson(updated, { groups: await apiGroupsOfPerson(ctx.stores, updated.id) });
  });

  route(app, 'resetPassword', async (request) => {
    const access = await ctx.access(request);
    refuseWhenLocalLoginOff('Resetting a password');
    const { password, reactivate } = request.body;
    const person = await auth.checkResetPassword(ctx.stores, access, request.params.id, reactivate ?? false);
    const passwordHash = await auth.hashNewPassword(password);
    const updated = await ctx.uow.run((tx) => auth.resetPassword(tx, access, person, passwordHash));
    return toApiPerson(updated);
  });

  route(app, 'resetExpiredToken', async (request) => {
    const access = await ctx.access(request);
    return ctx.uow.run((tx) => auth.renewRegistration(tx, access, request.params.email));
  });
}
