import { useEffect, useState } from 'react';
import type { RoleType, ServiceAccount } from '../api/types.ts';
import { promotionOrder } from '../lib/format.ts';
import { Button, IconButton } from '../ui/buttons.tsx';
import { Badge, Empty, ErrorBanner, LoadGate, useToast } from '../ui/feedback.tsx';
import { FilterNames, FilterPicker } from '../ui/filter-picker.tsx';
import { CopyField, SelectField } from '../ui/forms.tsx';
import { useAction, useLoad } from '../ui/hooks.ts';
import { rememberApp } from '../ui/layout.tsx';
import { NameDescriptionDialog } from '../ui/name-description-dialog.tsx';
import { ConfirmDialog } from '../ui/overlays.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useSession } from '../ui/session.tsx';
import { RoleGrid } from './groups-page.tsx';

function AccountDialog({
  account,
  onClose,
  onSaved,
}: {
  account?: ServiceAccount;
  onClose: () => void;
  onSaved: (sa: ServiceAccount) => void;
}) {
  const { api, portfolio } = useSession();
  const [filters, setFilters] = useState<string[]>(account?.featureFilters ?? []);
  const pid = portfolio?.id ?? '';
  return (
    <NameDescriptionDialog
      noun="service account"
      testId="service-account"
      editing={account}
      maxLength={70}
      save={(name, description) =>
        // permsInvalid tells the server this body carries no permissions to replace.
        account
          ? api.updateServiceAccount(pid, {
              ...account,
              name,
              description,
              featureFilters: filters,
              permsInvalid: true,
            })
          : api.createServiceAccount(pid, { name, description, featureFilter: filters, permissions: [] })
      }
      onClose={onClose}
      onSaved={onSaved}
    >
      <FilterPicker
        value={filters}
        onChange={setFilters}
        hint="With filters, this account's API keys get only the features sharing one; without, every feature."
        testId="service-account-filters"
      />
    </NameDescriptionDialog>
  );
}

function AccountPermissions({
  account,
  onSaved,
}: {
  account: ServiceAccount;
  onSaved: (sa: ServiceAccount) => void;
}) {
  const { api, portfolio } = useSession();
  const toast = useToast();
  const apps = useLoad(() => api.applications(portfolio?.id ?? ''), [portfolio?.id]);
  const [appId, setAppId] = useState('');
  const chosen = appId || apps.data?.[0]?.id || '';
  const app = apps.data?.find((a) => a.id === chosen);
  const envs = promotionOrder(app?.environments ?? []);
  const detail = useLoad(
    () => (chosen ? api.getServiceAccount(account.id, chosen) : Promise.resolve(account)),
    [account.id, chosen],
  );
  const [roles, setRoles] = useState<Record<string, RoleType[]>>({});
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    const m: Record<string, RoleType[]> = {};
    for (const p of detail.data?.permissions ?? []) m[p.environmentId] = p.permissions;
    setRoles(m);
    setDirty(false);
  }, [detail.data]);
  const save = useAction(async () => {
    const base = detail.data ?? account;
    const envIds = new Set(envs.map((e) => e.id));
    const saved = await api.updateServiceAccount(
      portfolio?.id ?? '',
      {
        ...base,
        permsInvalid: false,
        permissions: Object.entries(roles)
          .filter(([envId, r]) => envIds.has(envId) && r.length > 0)
          .map(([environmentId, permissions]) => ({ environmentId, permissions })),
      },
      chosen,
    );
    detail.setData(saved);
    onSaved(saved);
    toast(`Saved permissions of ${account.name} in ${app?.name}`);
  });
  if (apps.data && apps.data.length === 0)
    return <p className="muted">This portfolio has no applications yet.</p>;
  return (
    <section className="stack" aria-labelledby="sa-perms">
      <h3 className="section-title" id="sa-perms">
        Environment access
      </h3>
      <SelectField
        label="Application"
        value={chosen}
        onChange={setAppId}
        options={(apps.data ?? []).map((a) => ({ value: a.id ?? '', label: a.name ?? '' }))}
        testId="service-account-application"
      />
      {/* The grid appears once the account's roles in the chosen application have arrived: a tick made before
          would be overwritten when they do (seen on a slow server). */}
      <LoadGate
        loaded={{
          ...detail,
          data: apps.data && !detail.loading ? detail.data : undefined,
          error: detail.error ?? apps.error,
        }}
      >
        {() =>
          envs.length === 0 ? (
            <p className="muted small">This application has no environments.</p>
          ) : (
            <RoleGrid
              envs={envs}
              roles={roles}
              testId="service-account-roles"
              onChange={(envId, r) => {
                setRoles({ ...roles, [envId]: r });
                setDirty(true);
              }}
            />
          )
        }
      </LoadGate>
      <ErrorBanner error={save.error} />
      <div className="row row-end">
        <Button
          variant="primary"
          busy={save.busy}
          disabled={!dirty}
          onClick={() => void save.run()}
          data-testid="service-account-permissions-save"
        >
          Save access
        </Button>
      </div>
    </section>
  );
}

export function ServiceAccountsPage() {
  const { api, portfolio } = useSession();
  const toast = useToast();
  const list = useLoad(
    () =>
      portfolio?.id ? api.serviceAccounts(portfolio.id, { includePermissions: true }) : Promise.resolve([]),
    [portfolio?.id],
  );
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [dialog, setDialog] = useState<ServiceAccount | 'new' | undefined>(undefined);
  const [pending, setPending] = useState<
    { kind: 'delete' | 'client' | 'server'; account: ServiceAccount } | undefined
  >(undefined);
  const account = list.data?.find((a) => a.id === selected) ?? list.data?.[0];
  return (
    <>
      <PageHeader
        title="Service accounts"
        subtitle="SDKs connect with a service account's API keys; it sees the environments you give it access to"
        actions={
          <Button
            variant="primary"
            icon="plus"
            onClick={() => setDialog('new')}
            data-testid="create-service-account"
          >
            Create service account
          </Button>
        }
      />
      <LoadGate loaded={list}>
        {(accounts) =>
          accounts.length === 0 ? (
            <Empty title="No service accounts yet" />
          ) : (
            <div className="master-detail">
              <ul className="master-list" aria-label="Service accounts" data-testid="service-account-list">
                {accounts.map((a) => (
                  <li key={a.id}>
                    <button
                      type="button"
                      className={a.id === account?.id ? 'master-item master-active' : 'master-item'}
                      aria-current={a.id === account?.id ? 'true' : undefined}
                      onClick={() => setSelected(a.id)}
                      data-testid="service-account-item"
                    >
                      <span>{a.name}</span>
                    </button>
                  </li>
                ))}
              </ul>
              {account ? (
                <div className="detail card stack">
                  <div className="section-head">
                    <h2 className="detail-title" data-testid="service-account-title">
                      {account.name}
                    </h2>
                    <div className="row">
                      <IconButton
                        icon="edit"
                        label="Edit service account"
                        onClick={() => setDialog(account)}
                        data-testid="service-account-edit"
                      />
                      <IconButton
                        icon="trash"
                        label="Delete service account"
                        onClick={() => setPending({ kind: 'delete', account })}
                        data-testid="service-account-delete"
                      />
                    </div>
                  </div>
                  {account.description ? <p className="muted">{account.description}</p> : null}
                  <FilterNames
                    ids={account.featureFilters ?? []}
                    none="No feature filters: its keys get every feature."
                    testId="service-account-filter-names"
                  />
                  <section className="stack-sm" aria-label="API keys">
                    <h3 className="section-title">API keys</h3>
                    <p className="muted small">
                      SDKs combine a key with an environment id; the <strong>API keys</strong> page of each
                      application lists the full values to paste into an SDK.
                    </p>
                    {account.apiKeyClientSide ? (
                      <CopyField
                        label="Client-evaluated key"
                        value={account.apiKeyClientSide}
                        testId="sa-client-key"
                      />
                    ) : null}
                    {account.apiKeyServerSide ? (
                      <CopyField
                        label="Server-evaluated key"
                        value={account.apiKeyServerSide}
                        testId="sa-server-key"
                      />
                    ) : null}
                    <div className="row row-wrap">
                      <Button
                        onClick={() => setPending({ kind: 'client', account })}
                        data-testid="reset-client-key"
                      >
                        Reset client key
                      </Button>
                      <Button
                        onClick={() => setPending({ kind: 'server', account })}
                        data-testid="reset-server-key"
                      >
                        Reset server key
                      </Button>
                    </div>
                  </section>
                  <AccountPermissions account={account} onSaved={() => list.reload()} />
                </div>
              ) : null}
            </div>
          )
        }
      </LoadGate>
      {dialog ? (
        <AccountDialog
          {...(dialog === 'new' ? {} : { account: dialog })}
          onClose={() => setDialog(undefined)}
          onSaved={(sa) => {
            toast(dialog === 'new' ? `Created ${sa.name}` : `Saved ${sa.name}`);
            setDialog(undefined);
            setSelected(sa.id);
            list.reload();
          }}
        />
      ) : null}
      {pending?.kind === 'delete' ? (
        <ConfirmDialog
          title="Delete service account"
          message={<p>Delete {pending.account.name}? SDKs using its keys stop receiving features at once.</p>}
          confirmLabel="Delete"
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            await api.deleteServiceAccount(pending.account.id);
            toast(`Deleted ${pending.account.name}`);
            setSelected(undefined);
            list.reload();
          }}
        />
      ) : null}
      {pending?.kind === 'client' || pending?.kind === 'server' ? (
        <ConfirmDialog
          title={`Reset ${pending.kind} key`}
          message={
            <p>
              Reset the {pending.kind === 'client' ? 'client-evaluated' : 'server-evaluated'} key of{' '}
              {pending.account.name}? Every SDK using the current key stops receiving features until it is
              given the new one.
            </p>
          }
          confirmLabel="Reset key"
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            await api.resetApiKey(
              pending.account.id,
              pending.kind === 'client' ? 'client_eval_only' : 'server_eval_only',
            );
            toast('Key reset');
            list.reload();
          }}
        />
      ) : null}
    </>
  );
}

/** Per application: every service account × environment it may read, with the SDK keys to copy. */
export function ApiKeysPage({ appId }: { appId: string }) {
  const { api, portfolio } = useSession();
  useEffect(() => rememberApp(appId), [appId]);
  const app = useLoad(() => api.getApplication(appId), [appId]);
  const envs = useLoad(async () => promotionOrder(await api.environments(appId)), [appId]);
  const accounts = useLoad(
    () =>
      portfolio?.id
        ? api.serviceAccounts(portfolio.id, {
            applicationId: appId,
            includePermissions: true,
            includeSdkUrls: true,
          })
        : Promise.resolve([]),
    [portfolio?.id, appId],
  );
  const envName = new Map((envs.data ?? []).map((e) => [e.id, e.name]));
  const order = new Map((envs.data ?? []).map((e, i) => [e.id, i]));
  return (
    <>
      <PageHeader
        title="API keys"
        subtitle={app.data?.name ? `${app.data.name} · what SDKs need to connect` : undefined}
      />
      <LoadGate loaded={accounts}>
        {(list) => {
          const rows = list.flatMap((sa) =>
            (sa.permissions ?? [])
              .filter((p) => envName.has(p.environmentId) && p.permissions.length > 0)
              .sort((a, b) => (order.get(a.environmentId) ?? 0) - (order.get(b.environmentId) ?? 0))
              .map((p) => ({ sa, p })),
          );
          if (rows.length === 0) {
            return (
              <Empty title="No keys for this application">
                <p>
                  Give a service account access to an environment of this application (Service accounts page),
                  then its keys appear here.
                </p>
              </Empty>
            );
          }
          return (
            <div className="stack">
              {rows.map(({ sa, p }) => {
                const client =
                  p.sdkUrlClientEval ??
                  (sa.apiKeyClientSide ? `${p.environmentId}/${sa.apiKeyClientSide}` : undefined);
                const server =
                  p.sdkUrlServerEval ??
                  (sa.apiKeyServerSide ? `${p.environmentId}/${sa.apiKeyServerSide}` : undefined);
                return (
                  <div
                    key={`${sa.id}-${p.environmentId}`}
                    className="card stack-sm"
                    data-testid="api-key-card"
                  >
                    <div className="section-head">
                      <h2 className="card-title">
                        {sa.name} <span className="muted">in</span> {envName.get(p.environmentId)}
                      </h2>
                      <div className="row row-wrap">
                        {p.permissions.map((r) => (
                          <Badge key={r}>{r.toLowerCase().replace('_', ' ')}</Badge>
                        ))}
                      </div>
                    </div>
                    {client ? (
                      <CopyField
                        label="Client-evaluated API key (browsers, mobile)"
                        value={client}
                        testId={`api-key-client-${sa.name}-${envName.get(p.environmentId)}`}
                      />
                    ) : null}
                    {server ? (
                      <CopyField
                        label="Server-evaluated API key (servers)"
                        value={server}
                        testId={`api-key-server-${sa.name}-${envName.get(p.environmentId)}`}
                      />
                    ) : null}
                    {!client && !server ? (
                      <p className="muted small">
                        Your own permissions in this environment do not allow you to see these keys.
                      </p>
                    ) : null}
                  </div>
                );
              })}
            </div>
          );
        }}
      </LoadGate>
      <ErrorBanner error={envs.error} />
    </>
  );
}
