import { copy, type FakeState } from '../db/fake-state.ts';
import {
  type UserState,
  type UserStateKey,
  type UserStateStore,
  userStateKeyString,
} from './user-state-store.ts';

export class FakeUserStateStore implements UserStateStore {
  constructor(private readonly state: FakeState) {}

  async find(key: UserStateKey): Promise<UserState | undefined> {
    const found = this.state.tables.userStates.get(userStateKeyString(key));
    return found && copy(found);
  }

  async save(key: UserStateKey, data: unknown): Promise<UserState> {
    const k = userStateKeyString(key);
    const existing = this.state.tables.userStates.get(k);
    const now = this.state.now();
    const saved: UserState = existing
      ? { ...existing, data: copy(data), version: existing.version + 1, whenUpdated: now }
      : {
          id: this.state.deps.ids.next(),
          personId: key.personId,
          type: key.type,
          scopeId: key.scopeId,
          data: copy(data),
          version: 1,
          whenCreated: now,
          whenUpdated: now,
        };
    this.state.tables.userStates.set(k, saved);
    return copy(saved);
  }
}
