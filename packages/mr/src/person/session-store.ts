/** A login (or admin service account) session. The token itself is never stored, only its hash. */
export interface Session {
  personId: string;
  whenCreated: Date;
  lastSeen: Date;
}

export interface SessionStore {
  create(token: string, personId: string): Promise<Session>;
  findByToken(token: string): Promise<Session | undefined>;
  /** Records activity; false if the session is gone. */
  touch(token: string): Promise<boolean>;
  delete(token: string): Promise<void>;
  /** Ends every session of the person; returns how many there were. */
  deleteForPerson(personId: string): Promise<number>;
  /** When the person was last seen in any session. */
  lastSeen(personId: string): Promise<Date | undefined>;
}
