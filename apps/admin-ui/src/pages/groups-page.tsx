import { useEffect, useId, useState } from 'react';
import type { ApplicationRoleType, Group, Person, RoleType } from '../api/types.ts';
import { promotionOrder } from '../lib/format.ts';
import { nameProblem } from '../lib/validation.ts';
import { Button, IconButton } from '../ui/buttons.tsx';
import { Badge, Empty, ErrorBanner, LoadGate, useToast } from '../ui/feedback.tsx';
import { SelectField, TextField } from '../ui/forms.tsx';
import { useAction, useDebounced, useLoad } from '../ui/hooks.ts';
import { ConfirmDialog, FormDialog } from '../ui/overlays.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { navigate, useLocation } from '../ui/router.tsx';
import { useSession } from '../ui/session.tsx';

export const ENV_ROLES: Array<{ role: RoleType; label: string }> = [
  { role: 'READ', label: 'Read' },
  { role: 'LOCK', label: 'Lock' },
  { role: 'UNLOCK', label: 'Unlock' },
  { role: 'CHANGE_VALUE', label: 'Change value / retire' },
  { role: 'EXTENDED_DATA', label: 'Read extended data' },
];

type FeatureLevel = 'none' | 'create' | 'edit' | 'delete';
const FEATURE_LEVELS: Array<{ value: FeatureLevel; label: string; roles: ApplicationRoleType[] }> = [
  { value: 'none', label: 'No feature permissions', roles: [] },
  { value: 'create', label: 'Create features', roles: ['FEATURE_CREATE'] },
  { value: 'edit', label: 'Create and edit features', roles: ['FEATURE_CREATE', 'FEATURE_EDIT'] },
  {
    value: 'delete',
    label: 'Create, edit and delete features',
    roles: ['FEATURE_CREATE', 'FEATURE_EDIT', 'FEATURE_EDIT_AND_DELETE'],
  },
];
const STRATEGY_LEVELS: Array<{ value: FeatureLevel; label: string; roles: ApplicationRoleType[] }> = [
  { value: 'none', label: 'No application strategy permissions', roles: [] },
  { value: 'create', label: 'Create application strategies', roles: ['APP_STRATEGY_CREATE'] },
  { value: 'edit', label: 'Create and edit', roles: ['APP_STRATEGY_CREATE', 'APP_STRATEGY_EDIT'] },
  {
    value: 'delete',
    label: 'Create, edit and delete',
    roles: ['APP_STRATEGY_CREATE', 'APP_STRATEGY_EDIT', 'APP_STRATEGY_EDIT_AND_DELETE'],
  },
];

function levelOf(roles: ApplicationRoleType[], kind: 'FEATURE' | 'APP_STRATEGY'): FeatureLevel {
  if (roles.includes(`${kind}_EDIT_AND_DELETE` as ApplicationRoleType)) return 'delete';
  if (roles.includes(`${kind}_EDIT` as ApplicationRoleType)) return 'edit';
  if (roles.includes(`${kind}_CREATE` as ApplicationRoleType)) return 'create';
  return 'none';
}

/** Environment roles with READ added whenever any other role is held, as the server treats them. */
export function withImpliedRead(roles: RoleType[]): RoleType[] {
  const set = new Set(roles);
  if (set.size > 0) set.add('READ');
  return ENV_ROLES.map((r) => r.role).filter((r) => set.has(r));
}

/** A grid of environments × roles with checkboxes, used for groups and for service accounts. */
export function RoleGrid({
  envs,
  roles,
  onChange,
  available = ENV_ROLES,
  testId,
}: {
  envs: Array<{ id?: string; name?: string }>;
  roles: Record<string, RoleType[]>;
  onChange: (envId: string, roles: RoleType[]) => void;
  available?: Array<{ role: RoleType; label: string }>;
  testId?: string;
}) {
  return (
    <div className="table-wrap">
      <table className="data-table role-grid" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Environment</th>
            {available.map((r) => (
              <th key={r.role} scope="col">
                {r.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {envs.map((e) => {
            const mine = roles[e.id ?? ''] ?? [];
            return (
              <tr key={e.id}>
                <th scope="row">{e.name}</th>
                {available.map((r) => (
                  <td key={r.role}>
                    <input
                      type="checkbox"
                      aria-label={`${r.label} in ${e.name}`}
                      checked={mine.includes(r.role)}
                      data-testid={`role-${e.name}-${r.role}`}
                      onChange={(ev) => {
                        const next = ev.target.checked ? [...mine, r.role] : mine.filter((x) => x !== r.role);
                        // Unticking READ clears the rest, since every other role implies it.
                        onChange(
                          e.id ?? '',
                          r.role === 'READ' && !ev.target.checked ? [] : withImpliedRead(next),
                        );
                      }}
                    />
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function GroupPermissions({ group, portfolioId }: { group: Group; portfolioId: string }) {
  const { api } = useSession();
  const toast = useToast();
  const apps = useLoad(() => api.applications(portfolioId), [portfolioId]);
  const [appId, setAppId] = useState<string>('');
  const chosen = appId || apps.data?.[0]?.id || '';
  const detail = useLoad(
    () => (chosen ? api.getGroup(group.id ?? '', chosen) : Promise.resolve(undefined)),
    [group.id, chosen],
  );
  const app = apps.data?.find((a) => a.id === chosen);
  const envs = promotionOrder(app?.environments ?? []);
  const [appRoles, setAppRoles] = useState<ApplicationRoleType[]>([]);
  const [envRoles, setEnvRoles] = useState<Record<string, RoleType[]>>({});
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    const g = detail.data;
    if (!g) return;
    setAppRoles(g.applicationRoles?.find((r) => r.applicationId === chosen)?.roles ?? []);
    const m: Record<string, RoleType[]> = {};
    for (const r of g.environmentRoles ?? []) m[r.environmentId] = r.roles;
    setEnvRoles(m);
    setDirty(false);
  }, [detail.data, chosen]);
  const save = useAction(async () => {
    const g = detail.data ?? group;
    const updated = await api.updateGroup(
      {
        ...g,
        id: group.id ?? '',
        applicationRoles:
          appRoles.length > 0 ? [{ applicationId: chosen, groupId: group.id ?? '', roles: appRoles }] : [],
        // The server changes only the environments listed (an empty list removes the group's roles there), so
        // every environment of this application goes, also those whose roles were all unticked.
        environmentRoles: envs
          .filter((e) => e.id !== undefined)
          .map((e) => ({
            environmentId: e.id ?? '',
            groupId: group.id ?? '',
            roles: envRoles[e.id ?? ''] ?? [],
          })),
      },
      { updateApplicationGroupRoles: true, updateEnvironmentGroupRoles: true, applicationId: chosen },
    );
    detail.setData(updated);
    setDirty(false);
    toast(`Saved permissions of ${group.name} in ${app?.name}`);
  });
  const nonFeature = appRoles.filter((r) => r.startsWith('APP_STRATEGY'));
  const nonStrategy = appRoles.filter((r) => r.startsWith('FEATURE'));

  if (apps.data && apps.data.length === 0)
    return <p className="muted">This portfolio has no applications yet.</p>;
  return (
    <section className="stack" aria-labelledby="group-perms">
      <h3 className="section-title" id="group-perms">
        Permissions
      </h3>
      {group.admin ? (
        <p className="muted small">
          Administrators can do everything in this portfolio; these settings add nothing for them.
        </p>
      ) : null}
      <SelectField
        label="Application"
        value={chosen}
        onChange={(v) => setAppId(v)}
        options={(apps.data ?? []).map((a) => ({ value: a.id ?? '', label: a.name ?? '' }))}
        testId="group-perm-application"
      />
      {/* The controls appear once the group's roles in the chosen application have arrived: a choice made
          before would be overwritten when they do (seen on a slow server). */}
      <LoadGate
        loaded={{
          ...detail,
          data: apps.data && !detail.loading ? detail.data : undefined,
          error: detail.error ?? apps.error,
        }}
      >
        {() => (
          <div className="stack">
            <div className="grid-2">
              <SelectField<FeatureLevel>
                label="Features"
                value={levelOf(appRoles, 'FEATURE')}
                onChange={(v) => {
                  setAppRoles([...(FEATURE_LEVELS.find((l) => l.value === v)?.roles ?? []), ...nonFeature]);
                  setDirty(true);
                }}
                options={FEATURE_LEVELS}
                testId="group-feature-permission"
              />
              <SelectField<FeatureLevel>
                label="Application strategies"
                value={levelOf(appRoles, 'APP_STRATEGY')}
                onChange={(v) => {
                  setAppRoles([...nonStrategy, ...(STRATEGY_LEVELS.find((l) => l.value === v)?.roles ?? [])]);
                  setDirty(true);
                }}
                options={STRATEGY_LEVELS}
                testId="group-strategy-permission"
              />
            </div>
            {envs.length > 0 ? (
              <RoleGrid
                envs={envs}
                roles={envRoles}
                testId="group-env-roles"
                onChange={(envId, roles) => {
                  setEnvRoles({ ...envRoles, [envId]: roles });
                  setDirty(true);
                }}
              />
            ) : (
              <p className="muted small">This application has no environments.</p>
            )}
            <ErrorBanner error={save.error} />
            <div className="row row-end">
              <Button
                variant="primary"
                busy={save.busy}
                disabled={!dirty}
                onClick={() => void save.run()}
                data-testid="group-permissions-save"
              >
                Save permissions
              </Button>
            </div>
          </div>
        )}
      </LoadGate>
    </section>
  );
}

function GroupMembers({ group, onChanged }: { group: Group; onChanged: (g: Group) => void }) {
  const { api } = useSession();
  const searchId = useId();
  const [text, setText] = useState('');
  const filter = useDebounced(text);
  const people = useLoad(
    () =>
      filter.trim().length > 0
        ? api.findPeople({ filter: filter.trim(), pageSize: 10, personTypes: ['person', 'serviceAccount'] })
        : Promise.resolve(undefined),
    [filter],
  );
  const members = group.members ?? [];
  const memberIds = new Set(members.map((m) => m.id?.id));
  const candidates = (people.data?.people ?? people.data?.summarisedPeople ?? []).filter((p) => {
    const id = 'groupCount' in p ? p.id : (p as Person).id?.id;
    return id !== undefined && !memberIds.has(id);
  });
  const add = useAction(async (personId: string) => {
    onChanged(await api.addToGroup(group.id ?? '', personId));
    setText('');
  });
  const remove = useAction(async (personId: string) =>
    onChanged(await api.removeFromGroup(group.id ?? '', personId)),
  );
  return (
    <section className="stack" aria-labelledby="group-members">
      <h3 className="section-title" id="group-members">
        Members ({members.length})
      </h3>
      {members.length === 0 ? <p className="muted small">No members yet.</p> : null}
      <ul className="member-list" data-testid="group-members">
        {members.map((m) => (
          <li key={m.id?.id} className="member">
            <span className="avatar" aria-hidden="true">
              {(m.name ?? m.email ?? '?').charAt(0).toUpperCase()}
            </span>
            <span className="member-main">
              <span>{m.name || m.email}</span>
              <span className="muted small">
                {m.personType === 'serviceAccount' ? 'admin service account' : m.email}
              </span>
            </span>
            <IconButton
              icon="x"
              label={`Remove ${m.name ?? m.email} from the group`}
              busy={remove.busy}
              onClick={() => void remove.run(m.id?.id ?? '')}
              data-testid="group-member-remove"
            />
          </li>
        ))}
      </ul>
      <div className="field">
        <label htmlFor={searchId}>Add a member</label>
        <input
          id={searchId}
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Search people by name or email"
          data-testid="group-member-search"
        />
      </div>
      {candidates.length > 0 ? (
        <ul className="pick-list">
          {candidates.map((p) => {
            const id = 'groupCount' in p ? p.id : ((p as Person).id?.id ?? '');
            return (
              <li key={id}>
                <span>
                  {p.name} <span className="muted small">{p.email}</span>
                </span>
                <Button
                  className="btn-sm"
                  icon="plus"
                  busy={add.busy}
                  onClick={() => void add.run(id)}
                  data-testid="group-member-add"
                >
                  Add
                </Button>
              </li>
            );
          })}
        </ul>
      ) : filter.trim() !== '' && people.data ? (
        <p className="muted small">Nobody else matches.</p>
      ) : null}
      <ErrorBanner error={add.error ?? remove.error ?? people.error} />
    </section>
  );
}

function GroupNameDialog({
  group,
  onClose,
  onSaved,
}: {
  group?: Group;
  onClose: () => void;
  onSaved: (g: Group) => void;
}) {
  const { api, portfolio } = useSession();
  const [name, setName] = useState(group?.name ?? '');
  const problem = nameProblem(name, 'group', 255);
  const action = useAction(async () => {
    const saved = group?.id
      ? await api.updateGroup({ ...group, id: group.id, name: name.trim() }, {})
      : await api.createGroup(portfolio?.id ?? '', name.trim());
    onSaved(saved);
  });
  return (
    <FormDialog
      title={group ? 'Rename group' : 'Create group'}
      size="sm"
      onClose={onClose}
      action={action}
      invalid={Boolean(problem)}
      submitLabel={group ? 'Save' : 'Create'}
      submitTestId="group-save"
      testId="group-dialog"
    >
      {(tried) => (
        <TextField
          label="Group name"
          value={name}
          onChange={setName}
          error={tried ? problem : undefined}
          testId="group-name"
          autoFocus
          required
        />
      )}
    </FormDialog>
  );
}

export function GroupsPage() {
  const { api, portfolio } = useSession();
  const toast = useToast();
  const { search } = useLocation();
  const groups = useLoad(
    () => (portfolio?.id ? api.groups(portfolio.id) : Promise.resolve([])),
    [portfolio?.id],
  );
  const selectedId = search.get('group') ?? groups.data?.[0]?.id;
  const detail = useLoad(
    () => (selectedId ? api.getGroup(selectedId) : Promise.resolve(undefined)),
    [selectedId],
  );
  const [dialog, setDialog] = useState<Group | 'new' | undefined>(undefined);
  const [deleting, setDeleting] = useState<Group | undefined>(undefined);
  const select = (id: string | undefined) =>
    navigate(id ? `/groups?group=${encodeURIComponent(id)}` : '/groups', { replace: true });
  const group = detail.data;
  return (
    <>
      <PageHeader
        title="Groups"
        subtitle={
          portfolio?.name
            ? `in ${portfolio.name} · people get permissions through the groups they are in`
            : undefined
        }
        actions={
          <Button variant="primary" icon="plus" onClick={() => setDialog('new')} data-testid="create-group">
            Create group
          </Button>
        }
      />
      <LoadGate loaded={groups}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No groups" />
          ) : (
            <div className="master-detail">
              <ul className="master-list" aria-label="Groups" data-testid="group-list">
                {list.map((g) => (
                  <li key={g.id}>
                    <button
                      type="button"
                      className={g.id === selectedId ? 'master-item master-active' : 'master-item'}
                      aria-current={g.id === selectedId ? 'true' : undefined}
                      onClick={() => select(g.id)}
                      data-testid="group-item"
                    >
                      <span>{g.name}</span>
                      {g.admin ? <Badge tone="accent">admin</Badge> : null}
                      <span className="muted small">{g.members ? `${g.members.length}` : ''}</span>
                    </button>
                  </li>
                ))}
              </ul>
              <div className="detail card">
                <LoadGate loaded={detail}>
                  {() =>
                    group ? (
                      <div className="stack">
                        <div className="section-head">
                          <h2 className="detail-title" data-testid="group-title">
                            {group.name} {group.admin ? <Badge tone="accent">administrators</Badge> : null}
                          </h2>
                          <div className="row">
                            <IconButton
                              icon="edit"
                              label="Rename group"
                              onClick={() => setDialog(group)}
                              data-testid="group-rename"
                            />
                            {!group.admin ? (
                              <IconButton
                                icon="trash"
                                label="Delete group"
                                onClick={() => setDeleting(group)}
                                data-testid="group-delete"
                              />
                            ) : null}
                          </div>
                        </div>
                        <GroupMembers
                          group={group}
                          onChanged={(g) =>
                            detail.setData({ ...group, ...g, members: g.members ?? group.members ?? [] })
                          }
                        />
                        <GroupPermissions group={group} portfolioId={portfolio?.id ?? ''} />
                      </div>
                    ) : (
                      <Empty title="Choose a group" />
                    )
                  }
                </LoadGate>
              </div>
            </div>
          )
        }
      </LoadGate>
      {dialog ? (
        <GroupNameDialog
          {...(dialog === 'new' ? {} : { group: dialog })}
          onClose={() => setDialog(undefined)}
          onSaved={(g) => {
            toast(dialog === 'new' ? `Created ${g.name}` : `Renamed to ${g.name}`);
            setDialog(undefined);
            groups.reload();
            if (g.id) select(g.id);
            detail.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete group"
          message={
            <p>
              Delete <strong>{deleting.name}</strong>? Its members lose the permissions it gave them.
            </p>
          }
          confirmLabel="Delete group"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deleteGroup(deleting.id ?? '');
            toast(`Deleted ${deleting.name}`);
            select(undefined);
            groups.reload();
          }}
        />
      ) : null}
    </>
  );
}
