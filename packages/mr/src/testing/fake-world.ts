// Fake stores with FeatureHub set up, for the service unit tests of setup, auth, person and group.
import type { PasswordHasher } from '../auth/password-hasher.ts';
import { defaultMrSettings } from '../core/mr-context.ts';
import { manualClock } from '../db/store-support.ts';
import { createFakeStores, type Stores } from '../db/stores.ts';
import { createPortfolioAdminGroup } from '../group/admin-groups.ts';
import { resolveAccess } from '../permission/access.ts';
import { SetupService } from '../setup/setup-service.ts';

/** A hasher for unit tests: instant and readable. */
export const plainHasher: PasswordHasher = {
  hash: async (password) => `plain:${password}`,
  verify: async (password, stored) => stored === `plain:${password}`,
};

/**
 * Fake stores with FeatureHub set up (organisation, first portfolio, superuser), for service unit
 * tests, plus helpers to add portfolios and people.
 */
export async function fakeWorld() {
  const clock = manualClock();
  const stores = createFakeStores({ clock });
  const settings = { ...defaultMrSettings };
  const setup = new SetupService({ hasher: plainHasher, clock, settings });
  const prepared = await setup.prepare({
    organizationName: 'Org',
    portfolio: 'First',
    name: 'Super',
    emailAddress: 'super@example.com',
    password: 'password123',
  });
  const installed = await stores.transaction((tx) => setup.setUp(tx, prepared));
  const organisationId = installed.organisation.id;
  const superuserGroupId = installed.organisation.groupId!;
  return {
    clock,
    stores,
    settings,
    organisationId,
    superuserGroupId,
    superuserId: installed.person.id,
    access: (personId: string) => resolveAccess(stores, personId),
    async portfolio(name: string) {
      return stores.transaction(async (tx: Stores) => {
        const portfolio = await tx.portfolios.create({ organisationId, name });
        const adminGroup = await createPortfolioAdminGroup(tx, {
          organisationId,
          portfolioId: portfolio.id,
          portfolioName: name,
          suffix: settings.portfolioAdminGroupSuffix,
        });
        return { portfolio, adminGroup };
      });
    },
    async person(email: string, groupIds: string[] = [], personType: 'person' | 'serviceAccount' = 'person') {
      const p = await stores.persons.create({
        email,
        name: email,
        personType,
        passwordHash: plainHash('password123'),
      });
      for (const g of groupIds) await stores.groups.addMember(g, p.id);
      return p;
    },
  };
}

const plainHash = (p: string) => `plain:${p}`;
