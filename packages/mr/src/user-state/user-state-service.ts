import { AppError, ForbiddenError } from '@fh/service-kit';
import { applicationOf } from '../application/application-read-model.ts';
import type { Application } from '../application/application-store.ts';
import type { Stores } from '../db/stores.ts';
import type { Access } from '../permission/access.ts';

/**
 * Which environments a person chose to see on an application's features console. Despite the
 * upstream name (HiddenEnvironments) the ids are the chosen ones; an empty list means "no choice
 * made", and `noneSelected` tells "none at all" apart from that.
 */
export interface HiddenEnvironmentsChoice {
  noneSelected: boolean;
  environmentIds: string[];
}

/** A choice the server refuses to keep (upstream answers 422 "invalid"). */
export class InvalidUserStateError extends AppError {
  constructor(message: string) {
    super(422, 'invalid_user_state', message);
  }
}

/** A person's saved choices, and the application and environments they are about. */
type UserStateStores = Pick<Stores, 'applications' | 'environments' | 'userStates'>;

/** The caller's own preferences (UserStateService): kept per person and application. */
export class UserStateService {
  /** The caller's choice for the application; nothing saved yet reads as "no choice made". */
  async hiddenEnvironments(
    tx: UserStateStores,
    access: Access,
    applicationId: string,
  ): Promise<HiddenEnvironmentsChoice> {
    await readableApplication(tx, access, applicationId);
    const saved = await tx.userStates.find(keyOf(access, applicationId));
    const choice = saved ? parseChoice(saved.data) : { noneSelected: false, environmentIds: [] };
    if (choice.environmentIds.length === 0) return choice;
    // Environments deleted since the choice was saved drop out of it.
    const live = new Set((await tx.environments.list({ applicationId })).map((e) => e.id));
    return { ...choice, environmentIds: choice.environmentIds.filter((id) => live.has(id)) };
  }

  /**
   * Replaces the caller's choice for the application.
   * @throws InvalidUserStateError (422) when an id is not an environment of the application, or there
   *   are more ids than the application has environments
   */
  async saveHiddenEnvironments(
    tx: UserStateStores,
    access: Access,
    applicationId: string,
    input: { noneSelected?: boolean; environmentIds?: readonly string[] },
  ): Promise<HiddenEnvironmentsChoice> {
    await readableApplication(tx, access, applicationId);
    const requested = input.environmentIds ?? [];
    const environments = await tx.environments.list({ applicationId });
    if (requested.length > environments.length) {
      throw new InvalidUserStateError(
        `environmentIds lists ${requested.length} environments; this application has ${environments.length}`,
      );
    }
    const own = new Set(environments.map((e) => e.id));
    const foreign = [...new Set(requested.filter((id) => !own.has(id)))];
    if (foreign.length > 0) {
      throw new InvalidUserStateError(
        `environmentIds must be environments of application ${applicationId}; not: ${foreign.join(', ')}`,
      );
    }
    const choice: HiddenEnvironmentsChoice = {
      noneSelected: input.noneSelected ?? false,
      environmentIds: [...new Set(requested)],
    };
    await tx.userStates.save(keyOf(access, applicationId), choice);
    return choice;
  }
}

function keyOf(access: Access, applicationId: string) {
  return { personId: access.personId, type: 'HIDDEN_ENVIRONMENTS', scopeId: applicationId } as const;
}

/** Upstream: anyone who may read the application's features (feature readers). */
async function readableApplication(
  tx: Pick<Stores, 'applications'>,
  access: Access,
  applicationId: string,
): Promise<Application> {
  const app = await applicationOf(tx, applicationId);
  if (!access.canReadApplication(app)) throw new ForbiddenError('You have no access to this application');
  return app;
}

/** Saved data is only read back through here: a row of another shape reads as "no choice made". */
function parseChoice(data: unknown): HiddenEnvironmentsChoice {
  if (typeof data !== 'object' || data === null) return { noneSelected: false, environmentIds: [] };
  const { noneSelected, environmentIds } = data as Record<string, unknown>;
  return {
    noneSelected: noneSelected === true,
    environmentIds: Array.isArray(environmentIds)
      ? environmentIds.filter((id): id is string => typeof id === 'string')
      : [],
  };
}
