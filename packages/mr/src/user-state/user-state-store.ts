/** The kinds of state kept per person; each is about one scope (an application, for now). */
export type UserStateType = 'HIDDEN_ENVIRONMENTS';

/** Which piece of state: one person's state of one type about one scope. */
export interface UserStateKey {
  personId: string;
  type: UserStateType;
  /** the application (or portfolio, environment) the state is about */
  scopeId: string;
}

/** A person's saved preference, e.g. which environments the features console shows for an application. */
export interface UserState extends UserStateKey {
  id: string;
  /** What the person saved, as given: readers must not trust its shape. */
  data: unknown;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
}

export interface UserStateStore {
  find(key: UserStateKey): Promise<UserState | undefined>;
  /**
   * Creates the state (version 1) or replaces its data (version + 1). Safe when two requests save the
   * same key at once: one row per key, the last write wins.
   */
  save(key: UserStateKey, data: unknown): Promise<UserState>;
}

export function userStateKeyString(key: UserStateKey): string {
  return `${key.personId}|${key.type}|${key.scopeId}`;
}
