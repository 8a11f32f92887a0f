import { useState } from 'react';
import type { Person, SearchPerson } from '../api/types.ts';
import { relativeTime } from '../lib/format.ts';
import { nameProblem } from '../lib/validation.ts';
import { Button } from '../ui/buttons.tsx';
import { DataTable } from '../ui/data-table.tsx';
import { Empty, LoadGate, Notice, useToast } from '../ui/feedback.tsx';
import { CopyField, TextField } from '../ui/forms.tsx';
import { useAction, useLoad } from '../ui/hooks.ts';
import { ConfirmDialog, FormDialog, Modal } from '../ui/overlays.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useSession } from '../ui/session.tsx';
import { GroupPicker } from './users-page.tsx';

function TokenShown({ token, onClose, title }: { token: string; onClose: () => void; title: string }) {
  return (
    <Modal
      title={title}
      onClose={onClose}
      testId="admin-token-dialog"
      footer={
        <Button variant="primary" onClick={onClose} data-testid="admin-token-done">
          Done
        </Button>
      }
    >
      <div className="stack">
        <Notice tone="warn">
          Copy this access token now: it is not shown again. Use it as a bearer token for the admin API.
        </Notice>
        <CopyField label="Access token" value={token} testId="admin-token" />
      </div>
    </Modal>
  );
}

function CreateDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (token: string) => void }) {
  const { api, portfolio } = useSession();
  const groups = useLoad(
    () => (portfolio?.id ? api.groups(portfolio.id) : Promise.resolve([])),
    [portfolio?.id],
  );
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const problem = nameProblem(name, 'service account', 100);
  const action = useAction(async () => {
    const r = await api.createPerson({
      name: name.trim(),
      personType: 'serviceAccount',
      groupIds: [...chosen],
    });
    onCreated(r.token);
  });
  return (
    <FormDialog
      title="Create admin service account"
      onClose={onClose}
      action={action}
      invalid={Boolean(problem)}
      submitLabel="Create"
      submitTestId="admin-sa-save"
      testId="admin-sa-dialog"
    >
      {(tried) => (
        <>
          <TextField
            label="Name"
            value={name}
            onChange={setName}
            error={tried ? problem : undefined}
            testId="admin-sa-name"
            autoFocus
          />
          <p className="muted small">It gets the permissions of the groups it is in, like a person.</p>
          <GroupPicker
            groups={groups.data ?? []}
            chosen={chosen}
            onChange={setChosen}
            testId="admin-sa-groups"
          />
        </>
      )}
    </FormDialog>
  );
}

function RenameDialog({
  account,
  onClose,
  onSaved,
}: {
  account: SearchPerson;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { api } = useSession();
  const [name, setName] = useState(account.name);
  const problem = nameProblem(name, 'service account', 100);
  const action = useAction(async () => {
    await api.updatePerson(account.id, { name: name.trim(), version: account.version });
    onSaved();
  });
  return (
    <FormDialog
      title="Rename admin service account"
      size="sm"
      onClose={onClose}
      action={action}
      invalid={Boolean(problem)}
      submitLabel="Save"
      submitTestId="admin-sa-rename-save"
    >
      <TextField label="Name" value={name} onChange={setName} error={problem} autoFocus />
    </FormDialog>
  );
}

export function AdminServiceAccountsPage() {
  const { api, isSuperuser } = useSession();
  const toast = useToast();
  const list = useLoad(() => api.findPeople({ personTypes: ['serviceAccount'], pageSize: 100 }), []);
  const [creating, setCreating] = useState(false);
  const [token, setToken] = useState<string | undefined>(undefined);
  const [pending, setPending] = useState<
    { kind: 'reset' | 'delete' | 'rename'; account: SearchPerson } | undefined
  >(undefined);
  const rows: SearchPerson[] =
    list.data?.summarisedPeople ??
    (list.data?.people ?? []).map((p: Person) => ({
      id: p.id?.id ?? '',
      name: p.name ?? '',
      email: p.email ?? '',
      version: p.version ?? 0,
      personType: 'serviceAccount',
      groupCount: p.groups?.length ?? 0,
      ...(p.whenLastSeen ? { whenLastSeen: p.whenLastSeen } : {}),
    }));
  return (
    <>
      <PageHeader
        title="Admin service accounts"
        subtitle="Accounts for scripts and tools that use the admin API"
        actions={
          <Button
            variant="primary"
            icon="plus"
            onClick={() => setCreating(true)}
            data-testid="create-admin-sa"
          >
            Create
          </Button>
        }
      />
      <LoadGate loaded={list}>
        {() =>
          rows.length === 0 ? (
            <Empty title="No admin service accounts" />
          ) : (
            <DataTable columns={['Name', 'Groups', 'Last used']} testId="admin-sa-list">
              {rows.map((a) => (
                <tr key={a.id} data-testid="admin-sa-row">
                  <td>{a.name}</td>
                  <td>{a.groupCount}</td>
                  <td className="small">{relativeTime(a.whenLastSeen)}</td>
                  <td className="actions-cell">
                    <div className="row row-wrap">
                      <Button className="btn-sm" onClick={() => setPending({ kind: 'rename', account: a })}>
                        Rename
                      </Button>
                      <Button
                        className="btn-sm"
                        onClick={() => setPending({ kind: 'reset', account: a })}
                        data-testid="admin-sa-reset"
                      >
                        Reset token
                      </Button>
                      {isSuperuser ? (
                        <Button
                          className="btn-sm"
                          variant="danger"
                          onClick={() => setPending({ kind: 'delete', account: a })}
                          data-testid="admin-sa-delete"
                        >
                          Delete
                        </Button>
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </LoadGate>
      {creating ? (
        <CreateDialog
          onClose={() => setCreating(false)}
          onCreated={(t) => {
            setCreating(false);
            setToken(t);
            list.reload();
          }}
        />
      ) : null}
      {token ? (
        <TokenShown title="Admin service account created" token={token} onClose={() => setToken(undefined)} />
      ) : null}
      {pending?.kind === 'rename' ? (
        <RenameDialog
          account={pending.account}
          onClose={() => setPending(undefined)}
          onSaved={() => {
            setPending(undefined);
            toast('Renamed');
            list.reload();
          }}
        />
      ) : null}
      {pending?.kind === 'reset' ? (
        <ConfirmDialog
          title="Reset access token"
          message={
            <p>
              Reset the token of {pending.account.name}? Tools using the current token stop working at once.
            </p>
          }
          confirmLabel="Reset token"
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            const r = await api.resetAdminToken(pending.account.id);
            setToken(r.token);
          }}
        />
      ) : null}
      {pending?.kind === 'delete' ? (
        <ConfirmDialog
          title="Delete admin service account"
          message={<p>Delete {pending.account.name}? Its token stops working at once.</p>}
          confirmLabel="Delete"
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            await api.deactivatePerson(pending.account.id);
            toast('Deleted');
            list.reload();
          }}
        />
      ) : null}
    </>
  );
}
