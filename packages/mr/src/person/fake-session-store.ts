import { hashToken } from '../auth/tokens.ts';
import { copy, type FakeState } from '../db/fake-state.ts';
import type { Session, SessionStore } from './session-store.ts';

export class FakeSessionStore implements SessionStore {
  constructor(private readonly state: FakeState) {}

  async create(token: string, personId: string): Promise<Session> {
    const now = this.state.now();
    const s: Session = { personId, whenCreated: now, lastSeen: now };
    this.state.tables.sessions.set(hashToken(token), s);
    return copy(s);
  }

  async findByToken(token: string): Promise<Session | undefined> {
    const s = this.state.tables.sessions.get(hashToken(token));
    return s && copy(s);
  }

  async touch(token: string): Promise<boolean> {
    const hash = hashToken(token);
    const s = this.state.tables.sessions.get(hash);
    if (!s) return false;
    this.state.tables.sessions.set(hash, { ...s, lastSeen: this.state.now() });
    return true;
  }

  async delete(token: string): Promise<void> {
    this.state.tables.sessions.delete(hashToken(token));
  }

  async deleteForPerson(personId: string): Promise<number> {
    let n = 0;
    for (const [hash, s] of this.state.tables.sessions) {
      if (s.personId === personId) {
        this.state.tables.sessions.delete(hash);
        n++;
      }
    }
    return n;
  }

  async lastSeen(personId: string): Promise<Date | undefined> {
    let latest: Date | undefined;
    for (const s of this.state.tables.sessions.values()) {
      if (s.personId === personId && (!latest || s.lastSeen > latest)) latest = s.lastSeen;
    }
    return latest && new Date(latest);
  }
}
