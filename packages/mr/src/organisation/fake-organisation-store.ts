import { ConflictError } from '@fh/service-kit';
import { copy, type FakeState, notFound } from '../db/fake-state.ts';
import { applyPatch, checkVersion } from '../db/store-support.ts';
import type {
  CreateOrganisation,
  Organisation,
  OrganisationStore,
  UpdateOrganisation,
} from './organisation-store.ts';

export class FakeOrganisationStore implements OrganisationStore {
  constructor(private readonly state: FakeState) {}

  async create(input: CreateOrganisation): Promise<Organisation> {
    const now = this.state.now();
    const id = input.id ?? this.state.deps.ids.next();
    if (this.state.tables.organisations.has(id)) throw new ConflictError(`organisation ${id} already exists`);
    const org: Organisation = {
      id,
      name: input.name,
      groupId: input.groupId ?? null,
      version: 1,
      whenCreated: now,
      whenUpdated: now,
      whenArchived: null,
    };
    this.state.tables.organisations.set(org.id, org);
    return copy(org);
  }

  async findById(id: string): Promise<Organisation | undefined> {
    const o = this.state.tables.organisations.get(id);
    return o && copy(o);
  }

  async findFirst(): Promise<Organisation | undefined> {
    const live = [...this.state.tables.organisations.values()].filter((o) => o.whenArchived === null);
    live.sort((a, b) => a.whenCreated.getTime() - b.whenCreated.getTime() || a.id.localeCompare(b.id));
    return live[0] && copy(live[0]);
  }

  async update(id: string, patch: UpdateOrganisation): Promise<Organisation> {
    const current = this.state.tables.organisations.get(id);
    checkVersion('organisation', id, current, patch.version);
    if (!current) notFound('organisation', id);
    const { version: _v, ...fields } = patch;
    const next = {
      ...applyPatch(current, fields),
      version: current.version + 1,
      whenUpdated: this.state.now(),
    };
    this.state.tables.organisations.set(id, next);
    return copy(next);
  }
}
