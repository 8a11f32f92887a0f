import { useId, useState } from 'react';
import type { Group, Person, RegistrationUrl, SearchPerson } from '../api/types.ts';
import { dateTime, relativeTime } from '../lib/format.ts';
import { emailProblem, nameProblem, passwordProblem } from '../lib/validation.ts';
import { Button } from '../ui/buttons.tsx';
import { DataTable } from '../ui/data-table.tsx';
import { Badge, Empty, ErrorBanner, LoadGate, Notice, useToast } from '../ui/feedback.tsx';
import { Checkbox, CopyField, TextField } from '../ui/forms.tsx';
import { useAction, useDebounced, useLoad } from '../ui/hooks.ts';
import { Icon } from '../ui/icons.tsx';
import { ConfirmDialog, FormDialog, Modal } from '../ui/overlays.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useSession } from '../ui/session.tsx';

const PAGE = 20;

/** The link a person opens to register with the token of an invitation or a renewal. */
export function registrationLink(r: RegistrationUrl): string {
  // Built from the address this UI is served at rather than the server's registrationUrl: the token is
  // redeemed by this same MR, and the server's site URL is often left at its default (localhost:8085).
  if (r.token) return `${window.location.origin}/register-url?token=${encodeURIComponent(r.token)}`;
  return r.registrationUrl ?? '';
}

/** Group membership checkboxes for the current portfolio's groups. */
export function GroupPicker({
  groups,
  chosen,
  onChange,
  testId,
}: {
  groups: Group[];
  chosen: Set<string>;
  onChange: (s: Set<string>) => void;
  testId?: string;
}) {
  if (groups.length === 0) return null;
  return (
    <fieldset className="checkbox-group" data-testid={testId}>
      <legend className="field-label">Groups</legend>
      {groups.map((g) => (
        <Checkbox
          key={g.id}
          label={
            <>
              {g.name} {g.admin ? <Badge tone="accent">admin</Badge> : null}
            </>
          }
          checked={chosen.has(g.id ?? '')}
          onChange={(v) => {
            const next = new Set(chosen);
            if (v) next.add(g.id ?? '');
            else next.delete(g.id ?? '');
            onChange(next);
          }}
        />
      ))}
    </fieldset>
  );
}

function InviteDialog({
  groups,
  onClose,
  onDone,
}: {
  groups: Group[];
  onClose: () => void;
  onDone: () => void;
}) {
  const { api } = useSession();
  const [email, setEmail] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [tried, setTried] = useState(false);
  const [result, setResult] = useState<RegistrationUrl | undefined>(undefined);
  const problem = emailProblem(email);
  const action = useAction(async () => {
    setResult(await api.createPerson({ email: email.trim(), personType: 'person', groupIds: [...chosen] }));
    onDone();
  });
  return (
    <Modal
      title={result ? 'Invitation created' : 'Invite a user'}
      onClose={onClose}
      onSubmit={
        result
          ? onClose
          : () => {
              setTried(true);
              if (!problem) void action.run();
            }
      }
      testId="invite-dialog"
      footer={
        result ? (
          <Button variant="primary" type="submit" data-testid="invite-done">
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="primary" busy={action.busy} data-testid="invite-submit">
              Create invitation
            </Button>
          </>
        )
      }
    >
      {result ? (
        <div className="stack">
          <Notice tone="success">
            FeatureHub does not send email: send this link to {email.trim()}. It is valid for 7 days.
          </Notice>
          <CopyField label="Registration link" value={registrationLink(result)} testId="invite-url" />
        </div>
      ) : (
        <div className="stack">
          <TextField
            label="Email"
            type="email"
            value={email}
            onChange={setEmail}
            error={tried ? problem : undefined}
            testId="invite-email"
            autoFocus
            required
          />
          <GroupPicker groups={groups} chosen={chosen} onChange={setChosen} testId="invite-groups" />
          <ErrorBanner error={action.error} />
        </div>
      )}
    </Modal>
  );
}

function ResetPasswordDialog({ person, onClose }: { person: SearchPerson; onClose: () => void }) {
  const { api } = useSession();
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const [tried, setTried] = useState(false);
  const problem = passwordProblem(password);
  const action = useAction(async () => {
    await api.resetPassword(person.id, password, person.whenDeactivated !== undefined);
    setDone(true);
  });
  return (
    <Modal
      title={`Reset password of ${person.name || person.email}`}
      size="sm"
      onClose={onClose}
      onSubmit={
        done
          ? onClose
          : () => {
              setTried(true);
              if (!problem) void action.run();
            }
      }
      testId="reset-password-dialog"
      footer={
        done ? (
          <Button type="submit" variant="primary">
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="primary" busy={action.busy} data-testid="reset-password-submit">
              Set temporary password
            </Button>
          </>
        )
      }
    >
      {done ? (
        <div className="stack">
          <Notice tone="success">
            Give this temporary password to {person.name || person.email}. They must replace it when they next
            sign in.
          </Notice>
          <CopyField label="Temporary password" value={password} testId="reset-password-value" />
        </div>
      ) : (
        <div className="stack">
          <TextField
            label="Temporary password"
            value={password}
            onChange={setPassword}
            error={tried ? problem : undefined}
            testId="reset-password-input"
            autoFocus
            autoComplete="off"
          />
          <ErrorBanner error={action.error} />
        </div>
      )}
    </Modal>
  );
}

function EditPersonDialog({
  person,
  groups,
  onClose,
  onSaved,
}: {
  person: SearchPerson;
  groups: Group[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const { api, isSuperuser: iAmSuperuser, setup } = useSession();
  const orgGroupId = setup?.organization.orgGroup?.id;
  const full = useLoad(() => api.getPerson(person.id), [person.id]);
  const [name, setName] = useState(person.name);
  const [email, setEmail] = useState(person.email);
  const [chosen, setChosen] = useState<Set<string> | undefined>(undefined);
  const current = new Set((full.data?.groups ?? []).map((g) => g.id ?? ''));
  const picked = chosen ?? current;
  const wasSuperuser = orgGroupId !== undefined && current.has(orgGroupId);
  const [superuser, setSuperuser] = useState<boolean | undefined>(undefined);
  const problems = { name: nameProblem(name, 'person', 100), email: emailProblem(email) };
  const action = useAction(async () => {
    const p = full.data;
    if (name.trim() !== person.name || email.trim() !== person.email) {
      await api.updatePerson(person.id, {
        name: name.trim(),
        email: email.trim(),
        version: p?.version ?? person.version,
      });
    }
    // Superusers are the members of the organisation's administrators group.
    if (orgGroupId !== undefined && superuser !== undefined && superuser !== wasSuperuser) {
      if (superuser) await api.addToGroup(orgGroupId, person.id);
      else await api.removeFromGroup(orgGroupId, person.id);
    }
    // Memberships change one group at a time so groups of other portfolios are left alone.
    for (const g of groups) {
      const id = g.id ?? '';
      if (picked.has(id) && !current.has(id)) await api.addToGroup(id, person.id);
      if (!picked.has(id) && current.has(id)) await api.removeFromGroup(id, person.id);
    }
    onSaved();
  });
  return (
    <FormDialog
      title="Edit user"
      onClose={onClose}
      action={action}
      invalid={Boolean(problems.name || problems.email)}
      submitLabel="Save"
      submitTestId="edit-person-save"
      submitDisabled={full.loading}
      testId="edit-person-dialog"
    >
      {(tried) => (
        <>
          <TextField
            label="Name"
            value={name}
            onChange={setName}
            error={tried ? problems.name : undefined}
            testId="edit-person-name"
          />
          <TextField
            label="Email"
            type="email"
            value={email}
            onChange={setEmail}
            error={tried ? problems.email : undefined}
            testId="edit-person-email"
          />
          <LoadGate loaded={full}>
            {() => (
              <>
                <GroupPicker
                  groups={groups}
                  chosen={picked}
                  onChange={setChosen}
                  testId="edit-person-groups"
                />
                {iAmSuperuser && orgGroupId ? (
                  <Checkbox
                    label="Superuser"
                    hint=" — can administer every portfolio and the organisation."
                    checked={superuser ?? wasSuperuser}
                    onChange={setSuperuser}
                    testId="edit-person-superuser"
                  />
                ) : null}
              </>
            )}
          </LoadGate>
        </>
      )}
    </FormDialog>
  );
}

type Pending = { kind: 'reset' | 'edit' | 'deactivate' | 'activate' | 'renew'; person: SearchPerson };

export function UsersPage() {
  const { api, portfolio, person: me, isSuperuser } = useSession();
  const toast = useToast();
  const searchId = useId();
  const [text, setText] = useState('');
  const filter = useDebounced(text);
  const [startAt, setStartAt] = useState(0);
  const people = useLoad(
    () =>
      api.findPeople({
        filter: filter.trim() || undefined,
        startAt,
        pageSize: PAGE,
        includeDeactivated: true,
        personTypes: ['person'],
      }),
    [filter, startAt],
  );
  const groups = useLoad(
    () => (portfolio?.id ? api.groups(portfolio.id) : Promise.resolve([])),
    [portfolio?.id],
  );
  const [inviting, setInviting] = useState(false);
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  const [renewed, setRenewed] = useState<{ person: SearchPerson; url: string } | undefined>(undefined);
  const renew = useAction(async (p: SearchPerson) =>
    setRenewed({ person: p, url: registrationLink(await api.renewRegistration(p.email)) }),
  );

  const rows: SearchPerson[] =
    people.data?.summarisedPeople ??
    (people.data?.people ?? []).map((p: Person) => ({
      id: p.id?.id ?? '',
      name: p.name ?? '',
      email: p.email ?? '',
      version: p.version ?? 0,
      personType: p.personType ?? 'person',
      groupCount: p.groups?.length ?? 0,
      ...(p.whenLastAuthenticated ? { whenLastAuthenticated: p.whenLastAuthenticated } : {}),
      ...(p.whenArchived ? { whenDeactivated: p.whenArchived } : {}),
    }));
  const outstanding = new Map((people.data?.outstandingRegistrations ?? []).map((o) => [o.id, o]));
  const total = people.data?.max ?? 0;

  return (
    <>
      <PageHeader
        title="Users"
        actions={
          <Button variant="primary" icon="plus" onClick={() => setInviting(true)} data-testid="invite-user">
            Invite user
          </Button>
        }
      />
      <search className="toolbar">
        <div className="search-box">
          <label htmlFor={searchId} className="visually-hidden">
            Search users
          </label>
          <Icon name="search" />
          <input
            id={searchId}
            type="search"
            value={text}
            placeholder="Search name or email"
            onChange={(e) => {
              setText(e.target.value);
              setStartAt(0);
            }}
            data-testid="user-search"
          />
        </div>
      </search>
      <ErrorBanner error={renew.error} />
      <LoadGate loaded={people}>
        {() =>
          rows.length === 0 ? (
            <Empty title="Nobody matches" />
          ) : (
            <DataTable columns={['Name', 'Status', 'Last signed in', 'Groups']} testId="user-list">
              {rows.map((p) => {
                const reg = outstanding.get(p.id);
                const self = p.id === me?.id?.id;
                return (
                  <tr key={p.id} data-testid={`user-row-${p.email}`}>
                    <td>
                      <div>{p.name || <em className="muted">not registered</em>}</div>
                      <div className="muted small">{p.email}</div>
                    </td>
                    <td>
                      {p.whenDeactivated ? (
                        <Badge tone="danger">deactivated</Badge>
                      ) : reg ? (
                        <Badge tone="warn">{reg.expired ? 'invitation expired' : 'invited'}</Badge>
                      ) : (
                        <Badge tone="on">active</Badge>
                      )}
                    </td>
                    <td className="small" title={dateTime(p.whenLastAuthenticated)}>
                      {p.whenLastAuthenticated ? relativeTime(p.whenLastAuthenticated) : 'never'}
                    </td>
                    <td>{p.groupCount}</td>
                    <td className="actions-cell">
                      <div className="row row-wrap">
                        <Button
                          className="btn-sm"
                          onClick={() => setPending({ kind: 'edit', person: p })}
                          data-testid="user-edit"
                        >
                          Edit
                        </Button>
                        {reg ? (
                          <Button
                            className="btn-sm"
                            busy={renew.busy}
                            onClick={() => void renew.run(p)}
                            data-testid="user-renew"
                          >
                            New link
                          </Button>
                        ) : !self ? (
                          <Button
                            className="btn-sm"
                            onClick={() => setPending({ kind: 'reset', person: p })}
                            data-testid="user-reset-password"
                          >
                            Reset password
                          </Button>
                        ) : null}
                        {isSuperuser && !self ? (
                          p.whenDeactivated ? (
                            <Button
                              className="btn-sm"
                              onClick={() => setPending({ kind: 'activate', person: p })}
                              data-testid="user-activate"
                            >
                              Activate
                            </Button>
                          ) : (
                            <Button
                              className="btn-sm"
                              variant="danger"
                              onClick={() => setPending({ kind: 'deactivate', person: p })}
                              data-testid="user-deactivate"
                            >
                              Deactivate
                            </Button>
                          )
                        ) : null}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </DataTable>
          )
        }
      </LoadGate>
      {total > PAGE ? (
        <nav className="pager" aria-label="Pages of users">
          <span className="muted">
            {startAt + 1}–{Math.min(total, startAt + PAGE)} of {total}
          </span>
          <Button disabled={startAt === 0} onClick={() => setStartAt(Math.max(0, startAt - PAGE))}>
            Previous
          </Button>
          <Button disabled={startAt + PAGE >= total} onClick={() => setStartAt(startAt + PAGE)}>
            Next
          </Button>
        </nav>
      ) : null}
      {inviting ? (
        <InviteDialog groups={groups.data ?? []} onClose={() => setInviting(false)} onDone={people.reload} />
      ) : null}
      {pending?.kind === 'reset' ? (
        <ResetPasswordDialog person={pending.person} onClose={() => setPending(undefined)} />
      ) : null}
      {pending?.kind === 'edit' ? (
        <EditPersonDialog
          person={pending.person}
          groups={groups.data ?? []}
          onClose={() => setPending(undefined)}
          onSaved={() => {
            toast('Saved');
            setPending(undefined);
            people.reload();
          }}
        />
      ) : null}
      {pending?.kind === 'deactivate' ? (
        <ConfirmDialog
          title="Deactivate user"
          message={
            <p>
              Deactivate {pending.person.name || pending.person.email}? They are signed out everywhere and
              cannot sign in until reactivated.
            </p>
          }
          confirmLabel="Deactivate"
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            await api.deactivatePerson(pending.person.id);
            toast('Deactivated');
            people.reload();
          }}
        />
      ) : null}
      {pending?.kind === 'activate' ? (
        <ConfirmDialog
          title="Activate user"
          danger={false}
          message={<p>Let {pending.person.name || pending.person.email} sign in again?</p>}
          confirmLabel="Activate"
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            await api.updatePerson(pending.person.id, { version: pending.person.version, unarchive: true });
            toast('Activated');
            people.reload();
          }}
        />
      ) : null}
      {renewed ? (
        <Modal
          title="New registration link"
          onClose={() => setRenewed(undefined)}
          footer={<Button onClick={() => setRenewed(undefined)}>Done</Button>}
        >
          <div className="stack">
            <Notice tone="success">Send this link to {renewed.person.email}. It is valid for 7 days.</Notice>
            <CopyField label="Registration link" value={renewed.url} testId="renewed-url" />
          </div>
        </Modal>
      ) : null}
    </>
  );
}
