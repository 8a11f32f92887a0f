import { BadRequestError, ForbiddenError } from '@fh/service-kit';
import type { Stores } from '../db/stores.ts';
import type { Access } from '../permission/access.ts';
import type { Group } from './group-store.ts';

// Rules about the two kinds of administrator group (docs/admin-api-rules.md §Groups and permissions), shared
// by setup, person, group and portfolio: the organisation's superuser group, and one "<portfolio>
// Administrators" group per portfolio. Superusers are mirrored into every portfolio administrators group, so
// adding someone to (or removing them from) the superuser group does the same in all portfolio administrators
// groups.

/** Upstream's name for the organisation-level superuser group. */
export const SUPERUSER_GROUP_NAME = 'org_admin';

/** The organisation-level admin group: its members are superusers. */
export function isSuperuserGroup(group: Group): boolean {
  return group.admin && group.portfolioId === null;
}

/** A portfolio's administrators group. */
export function isPortfolioAdminGroup(group: Group): boolean {
  return group.admin && group.portfolioId !== null;
}

/** "<portfolio name> <suffix>", e.g. "Marketing Administrators". */
export function portfolioAdminGroupName(portfolioName: string, suffix: string): string {
  return `${portfolioName} ${suffix}`.slice(0, 255);
}

/** The organisation's superuser group, if setup has created it. */
export function findSuperuserGroup(
  tx: Pick<Stores, 'groups'>,
  organisationId: string,
): Promise<Group | undefined> {
  return tx.groups.findAdminGroup(organisationId, null);
}

/** Ids of the people in the superuser group. */
export async function superuserIds(tx: Pick<Stores, 'groups'>, organisationId: string): Promise<string[]> {
  const group = await findSuperuserGroup(tx, organisationId);
  return group ? tx.groups.listMemberIds(group.id) : [];
}

/** Whether the person (live or deactivated) is a member of the superuser group. */
export async function isSuperuserPerson(
  tx: Pick<Stores, 'groups'>,
  organisationId: string,
  personId: string,
) {
  return (await superuserIds(tx, organisationId)).includes(personId);
}

/**
 * Creates a portfolio's administrators group with every superuser in it. For the portfolio slice: call
 * it in the transaction that creates the portfolio.
 */
export async function createPortfolioAdminGroup(
  tx: Pick<Stores, 'groups'>,
  input: {
    organisationId: string;
    portfolioId: string;
    portfolioName: string;
    suffix: string;
    createdBy?: string | null;
  },
): Promise<Group> {
  const group = await tx.groups.create({
    organisationId: input.organisationId,
    portfolioId: input.portfolioId,
    name: portfolioAdminGroupName(input.portfolioName, input.suffix),
    admin: true,
    createdBy: input.createdBy ?? null,
  });
  for (const id of await superuserIds(tx, input.organisationId)) await tx.groups.addMember(group.id, id);
  return group;
}

/** Superusers manage every group; portfolio admins the groups of their portfolios. */
export function canManageGroup(access: Access, group: Group): boolean {
  return group.portfolioId === null ? access.isSuperuser : access.isPortfolioAdmin(group.portfolioId);
}

/** Adds a member; joining the superuser group also joins every portfolio administrators group. */
export async function addGroupMember(
  tx: Pick<Stores, 'groups'>,
  group: Group,
  personId: string,
): Promise<void> {
  await tx.groups.addMember(group.id, personId);
  if (!isSuperuserGroup(group)) return;
  for (const g of await tx.groups.list({ organisationId: group.organisationId })) {
    if (isPortfolioAdminGroup(g)) await tx.groups.addMember(g.id, personId);
  }
}

/**
 * Removes a member and says what happened. Leaving the superuser group also leaves every portfolio administrators
 * group; the last superuser cannot leave (nobody could manage the organisation any more, 400), and a superuser is
 * not taken out of a portfolio administrators group on its own (the mirror would break): `superuser_kept`.
 */
export async function removeGroupMember(
  tx: Pick<Stores, 'groups' | 'persons'>,
  group: Group,
  personId: string,
): Promise<'removed' | 'not_a_member' | 'superuser_kept'> {
  const members = await tx.groups.listMemberIds(group.id);
  if (!members.includes(personId)) return 'not_a_member';
  if (isSuperuserGroup(group)) {
    const live = (await tx.persons.list({ ids: members })).persons;
    if (live.length === 1 && live[0]?.id === personId) {
      throw new BadRequestError('The last superuser cannot be removed');
    }
    await tx.groups.removeMember(group.id, personId);
    for (const g of await tx.groups.list({ organisationId: group.organisationId })) {
      if (isPortfolioAdminGroup(g)) await tx.groups.removeMember(g.id, personId);
    }
    return 'removed';
  }
  if (isPortfolioAdminGroup(group) && (await isSuperuserPerson(tx, group.organisationId, personId))) {
    return 'superuser_kept';
  }
  await tx.groups.removeMember(group.id, personId);
  return 'removed';
}

/**
 * Guards actions that hand over or change someone's credentials or identity (password reset, new
 * registration link, admin token reset, email change, reactivation). Any admin may do them, but only
 * to people whose every group the caller administers: otherwise a portfolio admin could take over a
 * superuser's (or another portfolio's admin's) account and gain powers they do not have.
 */
export async function requireMayManagePerson(
  tx: Pick<Stores, 'groups'>,
  access: Access,
  personId: string,
): Promise<void> {
  access.requireAnyAdmin();
  if (access.isSuperuser) return;
  const ids = await tx.groups.listGroupIdsForPerson(personId);
  if (ids.length === 0) return;
  for (const group of await tx.groups.list({ ids })) {
    if (!canManageGroup(access, group)) {
      throw new ForbiddenError('You can only manage people whose groups you all administer');
    }
  }
}
