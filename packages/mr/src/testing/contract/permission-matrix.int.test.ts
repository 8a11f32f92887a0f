import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allOperations, operation } from '@fh/contracts/admin-api';
import {
  buildWorld,
  type ContractMr,
  DIALECTS,
  ROLES,
  type Role,
  runsOn,
  startContractMr,
  type World,
} from './contract-world.ts';
import { type InScopeOperationId, type PlannedRequest, send, validRequests } from './operation-requests.ts';

// Who may call each changing operation of the admin API (docs/admin-api-rules.md §Who may call what),
// checked over HTTP for every role against portfolio P / application A / environment dev of the contract
// World.
// Allowed: the operation's success status (or the `allowedStatus` of the row, for operations that
// refuse for another reason). Refused: 401 for the anonymous caller, else 403 (or the `refusedStatus`
// of the row, for operations upstream refuses with another status).

const PORTFOLIO_ADMINS: Role[] = ['superuser', 'portfolioAdmin', 'adminServiceAccount'];
const ANY_ADMIN: Role[] = [...PORTFOLIO_ADMINS, 'otherPortfolioAdmin'];
const SUPERUSER: Role[] = ['superuser'];
const EVERYONE: Role[] = [...ROLES];
const SIGNED_IN: Role[] = ROLES.filter((r) => r !== 'anonymous');
const NOBODY: Role[] = [];
const FEATURE_CREATORS: Role[] = [
  ...PORTFOLIO_ADMINS,
  'featureCreate',
  'featureEdit',
  'featureEditAndDelete',
];
const FEATURE_EDITORS: Role[] = [...PORTFOLIO_ADMINS, 'featureEdit', 'featureEditAndDelete'];
/**
 * Application strategies: upstream lets feature creators (FEATURE_CREATE, FEATURE_EDIT,
 * FEATURE_EDIT_AND_DELETE: its featureCreatorCheck) create, edit and delete them; we also honour the
 * matching APP_STRATEGY_* role (admins always).
 */
const STRATEGY_CREATORS: Role[] = [...FEATURE_CREATORS, 'strategyCreate'];
const STRATEGY_EDITORS: Role[] = [...FEATURE_CREATORS, 'strategyEdit', 'strategyEditAndDelete'];
const STRATEGY_DELETERS: Role[] = [...FEATURE_CREATORS, 'strategyEditAndDelete'];
/** Anyone with an application role or an environment role in A. */
const APPLICATION_READERS: Role[] = ROLES.filter(
  (r) =>
    PORTFOLIO_ADMINS.includes(r) ||
    r.startsWith('feature') ||
    r.startsWith('strategy') ||
    r.startsWith('env'),
);
const VALUE_CHANGERS: Role[] = [...PORTFOLIO_ADMINS, 'envChangeValue'];
const LOCKERS: Role[] = [...PORTFOLIO_ADMINS, 'envLock'];
const UNLOCKERS: Role[] = [...PORTFOLIO_ADMINS, 'envUnlock'];

interface Rule {
  operationId: InScopeOperationId;
  /** Tells rows of one operation apart (e.g. a value change, a lock, an unlock). */
  variant?: string;
  allowed: Role[];
  /** The answer an allowed caller gets when it is not the success status. */
  allowedStatus?: number;
  /** The answer a refused signed-in caller gets when it is not 403. */
  refusedStatus?: (role: Role) => number;
  /** Another request than validRequests[operationId], possibly depending on the caller. */
  plan?: (w: World, role: Role) => Promise<PlannedRequest>;
  why?: string;
}

const lockChange = (from: boolean) => async (w: World) => {
  const key = await w.fresh.feature('STRING', { valueString: 'v', locked: from });
  const current = await ok(w, `/features/${w.devEnvId}/feature/${key}`);
  return { params: { eid: w.devEnvId, key }, body: { ...current, locked: !from } };
};

const ok = async (w: World, path: string) => {
  const res = await w.su.get(path);
  assert.equal(res.status, 200, path);
  return res.body;
};

/** The expected rules, one row per changing operation (and per aspect of a value change). */
const RULES: Rule[] = [
  // portfolios
  { operationId: 'createPortfolio', allowed: SUPERUSER },
  { operationId: 'updatePortfolioOnOrganisation', allowed: PORTFOLIO_ADMINS },
  { operationId: 'updatePortfolio', allowed: PORTFOLIO_ADMINS },
  { operationId: 'deletePortfolio', allowed: SUPERUSER, why: 'even the admins of that portfolio may not' },
  // applications
  { operationId: 'createApplication', allowed: PORTFOLIO_ADMINS },
  { operationId: 'updateApplicationOnPortfolio', allowed: PORTFOLIO_ADMINS },
  { operationId: 'updateApplication', allowed: PORTFOLIO_ADMINS },
  { operationId: 'deleteApplication', allowed: PORTFOLIO_ADMINS },
  // environments
  { operationId: 'createEnvironmentOnApplication', allowed: PORTFOLIO_ADMINS },
  { operationId: 'createEnvironment', allowed: PORTFOLIO_ADMINS },
  { operationId: 'updateEnvironmentOnApplication', allowed: PORTFOLIO_ADMINS },
  { operationId: 'environmentOrdering', allowed: PORTFOLIO_ADMINS },
  { operationId: 'updateEnvironment', allowed: PORTFOLIO_ADMINS },
  { operationId: 'updateEnvironmentV2', allowed: PORTFOLIO_ADMINS },
  { operationId: 'deleteEnvironment', allowed: PORTFOLIO_ADMINS },
  // groups
  { operationId: 'createGroup', allowed: PORTFOLIO_ADMINS },
  { operationId: 'updateGroupOnPortfolio', allowed: PORTFOLIO_ADMINS },
  { operationId: 'updateGroup', allowed: PORTFOLIO_ADMINS },
  { operationId: 'deleteGroup', allowed: PORTFOLIO_ADMINS },
  { operationId: 'addPersonToGroup', allowed: PORTFOLIO_ADMINS },
  {
    operationId: 'addPersonToGroup',
    variant: 'to the superuser group',
    allowed: SUPERUSER,
    plan: async (w) => ({ params: { gid: w.superuserGroupId, pId: (await w.fresh.person()).id } }),
  },
  { operationId: 'deletePersonFromGroup', allowed: PORTFOLIO_ADMINS },
  { operationId: 'updateGroupOnPortfolioV2', allowed: PORTFOLIO_ADMINS },
  { operationId: 'addPersonsToGroup', allowed: PORTFOLIO_ADMINS },
  // people (the target is a person in no group, so any admin may manage them)
  { operationId: 'createPerson', allowed: ANY_ADMIN },
  { operationId: 'resetSecurityToken', allowed: ANY_ADMIN },
  { operationId: 'updatePersonV2', allowed: ANY_ADMIN },
  {
    operationId: 'updatePersonV2',
    variant: 'their own name',
    allowed: SIGNED_IN,
    plan: async (w, role) => {
      const id = w.personIds[role] ?? w.superuserId;
      const me = await ok(w, `/person/${id}`);
      return { params: { id }, body: { name: `${role} renamed`, version: me.version } };
    },
  },
  { operationId: 'updatePerson', allowed: ANY_ADMIN },
  { operationId: 'deletePerson', allowed: SUPERUSER },
  // authentication
  { operationId: 'setupSiteAdmin', allowed: EVERYONE, allowedStatus: 409, why: 'public; set up once' },
  { operationId: 'registerPerson', allowed: EVERYONE, why: 'public: the registration token is the key' },
  { operationId: 'login', allowed: EVERYONE, why: 'public' },
  {
    operationId: 'getLoginUrlForProvider',
    allowed: EVERYONE,
    why: 'public: starts a single sign-on; it reads and changes nothing stored',
  },
  { operationId: 'replaceTempPassword', allowed: NOBODY, why: 'only the person themself' },
  { operationId: 'resetExpiredToken', allowed: ANY_ADMIN },
  { operationId: 'changePassword', allowed: SUPERUSER, why: 'or the person themself' },
  { operationId: 'resetPassword', allowed: ANY_ADMIN },
  {
    operationId: 'resetPassword',
    variant: 'of a member of a group of P',
    allowed: PORTFOLIO_ADMINS,
    why: 'only admins of all their groups may take over an account',
    plan: async (w) => ({
      params: { id: (await w.fresh.groupMember()).id },
      body: { password: 'a temporary password' },
    }),
  },
  {
    operationId: 'resetPassword',
    variant: 'of a superuser',
    allowed: SUPERUSER,
    plan: async (w) => {
      const victim = await w.fresh.person();
      await w.mr.stores.groups.addMember(w.superuserGroupId, victim.id);
      return { params: { id: victim.id }, body: { password: 'a temporary password' } };
    },
  },
  // feature definitions
  { operationId: 'createFeaturesForApplication', allowed: FEATURE_CREATORS },
  { operationId: 'updateFeatureForApplicationOnFeature', allowed: FEATURE_EDITORS },
  { operationId: 'updateFeatureForApplication', allowed: FEATURE_EDITORS },
  { operationId: 'deleteFeatureForApplication', allowed: FEATURE_EDITORS },
  // feature values in dev
  { operationId: 'updateFeatureForEnvironment', variant: 'value', allowed: VALUE_CHANGERS },
  {
    operationId: 'updateFeatureForEnvironment',
    variant: 'lock',
    allowed: LOCKERS,
    plan: lockChange(false),
  },
  {
    operationId: 'updateFeatureForEnvironment',
    variant: 'unlock',
    allowed: UNLOCKERS,
    plan: lockChange(true),
  },
  { operationId: 'createFeatureForEnvironment', allowed: VALUE_CHANGERS },
  { operationId: 'updateAllFeaturesForEnvironment', allowed: VALUE_CHANGERS },
  {
    operationId: 'updateAllFeatureValuesByApplicationForKey',
    allowed: VALUE_CHANGERS,
    refusedStatus: (role) => (APPLICATION_READERS.includes(role) ? 400 : 403),
    why: 'as upstream, a missing role in an environment is a 400; who cannot read A gets 403',
  },
  {
    operationId: 'deleteFeatureForEnvironment',
    allowed: SIGNED_IN,
    allowedStatus: 400,
    why: 'values are never deleted: always 400',
  },
  // SDK service accounts
  { operationId: 'createServiceAccountInPortfolio', allowed: PORTFOLIO_ADMINS },
  { operationId: 'updateServiceAccountOnPortfolio', allowed: PORTFOLIO_ADMINS },
  { operationId: 'updateServiceAccount', allowed: PORTFOLIO_ADMINS },
  { operationId: 'deleteServiceAccount', allowed: PORTFOLIO_ADMINS },
  { operationId: 'resetApiKey', allowed: PORTFOLIO_ADMINS },
  // application strategies
  { operationId: 'createApplicationStrategy', allowed: STRATEGY_CREATORS },
  { operationId: 'updateApplicationStrategy', allowed: STRATEGY_EDITORS },
  { operationId: 'deleteApplicationStrategy', allowed: STRATEGY_DELETERS },
  { operationId: 'validate', allowed: APPLICATION_READERS, why: 'changes nothing; feature readers may' },
  // feature filters (API 1.2.6): as upstream, whoever may create or edit features in an application of the portfolio
  { operationId: 'createFeatureFilter', allowed: FEATURE_CREATORS },
  { operationId: 'updateFeatureFilter', allowed: FEATURE_CREATORS },
  { operationId: 'deleteFeatureFilter', allowed: FEATURE_CREATORS },
  // feature groups in dev: CHANGE_VALUE there, as upstream
  { operationId: 'createFeatureGroup', allowed: VALUE_CHANGERS },
  { operationId: 'updateFeatureGroup', allowed: VALUE_CHANGERS },
  { operationId: 'deleteFeatureGroup', allowed: VALUE_CHANGERS },
  // webhooks and the system config
  { operationId: 'testWebhook', allowed: PORTFOLIO_ADMINS, why: "the environment's administrators" },
  { operationId: 'createOrUpdateSystemConfigs', allowed: SUPERUSER },
  // the caller's own preferences
  {
    operationId: 'saveHiddenEnvironments',
    allowed: APPLICATION_READERS,
    why: "one's own choice of environments; feature readers may",
  },
];

const label = (rule: Rule) => (rule.variant ? `${rule.operationId} (${rule.variant})` : rule.operationId);

/** Sends each rule's request as each role; returns one line per case that did not go as the rule says. */
async function checkRules(
  contract: ContractMr,
  world: World,
  rules: readonly Rule[],
  roles: readonly Role[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const rule of rules) {
    const spec = operation(rule.operationId);
    const success = Number(Object.keys(spec.responses)[0] ?? 200);
    for (const role of roles) {
      const planned = await (rule.plan ?? validRequests[rule.operationId])(world, role);
      const res = await send(world.clients[role], rule.operationId, planned);
      const allowed = rule.allowed.includes(role);
      const expected = allowed
        ? (rule.allowedStatus ?? success)
        : role === 'anonymous' && spec.auth
          ? 401
          : (rule.refusedStatus?.(role) ?? 403);
      if (res.status !== expected) {
        problems.push(
          `${label(rule)} as ${role}: expected ${expected} (${allowed ? 'allowed' : 'refused'}), got ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`,
        );
      } else if (res.status >= 400 && typeof (res.body as { message?: unknown })?.message !== 'string') {
        problems.push(`${label(rule)} as ${role}: ${res.status} without a JSON message`);
      }
    }
  }
  if (contract.serverErrors.length > 0)
    problems.push(...contract.serverErrors.map((e) => `server error: ${e}`));
  return problems;
}

describe('the permission matrix names every changing operation in scope', () => {
  it('has a rule for each POST, PUT and DELETE operation', () => {
    const changing = allOperations().filter((o) => o.inScope && o.method !== 'GET');
    const missing = changing.filter((o) => !RULES.some((r) => r.operationId === o.operationId));
    assert.deepEqual(
      missing.map((o) => o.operationId),
      [],
    );
  });
});

describe('every role may do exactly what the rules allow (sqlite, all operations and roles)', () => {
  let contract: ContractMr;
  let world: World;
  before(async () => {
    contract = await startContractMr('sqlite');
    world = await buildWorld(contract);
  });
  after(async () => contract?.mr.close());

  for (const rule of RULES) {
    it(`${label(rule)}: allowed for ${rule.allowed.length === 0 ? 'nobody' : rule.allowed.join(', ')}${rule.why ? ` (${rule.why})` : ''}`, async () => {
      const problems = await checkRules(contract, world, [rule], ROLES);
      assert.deepEqual(problems, []);
    });
  }
});

/** A representative subset for the server databases: each kind of rule, each kind of role. */
const SUBSET_OPERATIONS = new Set<string>([
  'createApplication',
  'deleteEnvironment',
  'updateGroup',
  'deletePerson',
  'resetPassword',
  'createFeaturesForApplication',
  'deleteFeatureForApplication',
  'updateFeatureForEnvironment',
  'createServiceAccountInPortfolio',
  'createApplicationStrategy',
  'deleteApplicationStrategy',
  'createFeatureFilter',
  'updateFeatureGroup',
]);
const SUBSET_ROLES: Role[] = [
  'anonymous',
  'superuser',
  'portfolioAdmin',
  'otherPortfolioAdmin',
  'noGroups',
  'featureEdit',
  'strategyEditAndDelete',
  'envRead',
  'envLock',
  'envChangeValue',
  'adminServiceAccount',
];

for (const dialect of DIALECTS.filter((d) => d !== 'sqlite')) {
  describe(`the permission rules hold on ${dialect} (representative subset)`, await runsOn(dialect), () => {
    let contract: ContractMr;
    let world: World;
    before(async () => {
      contract = await startContractMr(dialect);
      world = await buildWorld(contract);
    });
    after(async () => contract?.mr.close());

    it(`${SUBSET_OPERATIONS.size} operations × ${SUBSET_ROLES.length} roles`, async () => {
      const rules = RULES.filter((r) => SUBSET_OPERATIONS.has(r.operationId));
      const problems = await checkRules(contract, world, rules, SUBSET_ROLES);
      assert.deepEqual(problems, []);
    });
  });
}
