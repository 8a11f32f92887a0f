import { useEffect, useId, useState } from 'react';
import type { ApplicationRolloutStrategy, ListApplicationRolloutStrategyItem } from '../api/types.ts';
import { dateTime, relativeTime } from '../lib/format.ts';
import { emptyStrategy, formToStrategy, type StrategyForm, strategyToForm } from '../lib/strategy-form.ts';
import { Button, IconButton } from '../ui/buttons.tsx';
import { DataTable } from '../ui/data-table.tsx';
import { Badge, Empty, LoadGate, useToast } from '../ui/feedback.tsx';
import { useAction, useDebounced, useLoad } from '../ui/hooks.ts';
import { Icon } from '../ui/icons.tsx';
import { rememberApp } from '../ui/layout.tsx';
import { ConfirmDialog } from '../ui/overlays.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useSession } from '../ui/session.tsx';
import { StrategyEditor, strategySummary } from './features/strategy-editor.tsx';

export function AppStrategiesPage({ appId }: { appId: string }) {
  const { api, portfolio, isPortfolioAdmin } = useSession();
  const toast = useToast();
  const searchId = useId();
  useEffect(() => rememberApp(appId), [appId]);
  const [text, setText] = useState('');
  const filter = useDebounced(text);
  const app = useLoad(() => api.getApplication(appId), [appId]);
  const perms = useLoad(() => api.applicationPermissions(appId).catch(() => undefined), [appId]);
  const list = useLoad(() => api.applicationStrategies(appId, filter.trim() || undefined), [appId, filter]);
  const [editing, setEditing] = useState<ListApplicationRolloutStrategyItem | 'new' | undefined>(undefined);
  const [deleting, setDeleting] = useState<ApplicationRolloutStrategy | undefined>(undefined);
  const roles = perms.data?.applicationRoles ?? [];
  const admin = isPortfolioAdmin(portfolio?.id);
  // As the server decides: whoever may create features may manage application strategies (upstream's rule), and so
  // may holders of the matching APP_STRATEGY_* role.
  const featureCreator = roles.some(
    (r) => r === 'FEATURE_CREATE' || r === 'FEATURE_EDIT' || r === 'FEATURE_EDIT_AND_DELETE',
  );
  const canCreate = admin || featureCreator || roles.includes('APP_STRATEGY_CREATE');
  const canEdit =
    admin ||
    featureCreator ||
    roles.includes('APP_STRATEGY_EDIT') ||
    roles.includes('APP_STRATEGY_EDIT_AND_DELETE');
  const canDelete = admin || featureCreator || roles.includes('APP_STRATEGY_EDIT_AND_DELETE');

  const save = useAction(async (form: StrategyForm) => {
    const wire = formToStrategy(form, false);
    const body: ApplicationRolloutStrategy = { ...wire };
    delete (body as { id?: string }).id;
    const current = editing !== 'new' ? editing?.strategy : undefined;
    if (current?.id) await api.updateApplicationStrategy(appId, current.id, body);
    else await api.createApplicationStrategy(appId, body);
    toast(current ? `Saved ${wire.name}` : `Created ${wire.name}`);
    setEditing(undefined);
    list.reload();
  });

  return (
    <>
      <PageHeader
        title="Application strategies"
        subtitle={
          app.data?.name
            ? `${app.data.name} · shared rules that feature values attach with their own value`
            : undefined
        }
        actions={
          canCreate ? (
            <Button
              variant="primary"
              icon="plus"
              onClick={() => setEditing('new')}
              data-testid="create-app-strategy"
            >
              Create strategy
            </Button>
          ) : null
        }
      />
      <search className="toolbar">
        <div className="search-box">
          <label htmlFor={searchId} className="visually-hidden">
            Search strategies
          </label>
          <Icon name="search" />
          <input
            id={searchId}
            type="search"
            value={text}
            placeholder="Search by name"
            onChange={(e) => setText(e.target.value)}
            data-testid="app-strategy-search"
          />
        </div>
      </search>
      <LoadGate loaded={list}>
        {(l) =>
          l.items.length === 0 ? (
            <Empty title={filter ? 'No strategies match' : 'No application strategies yet'}>
              <p>
                An application strategy is a set of rules (a percentage, countries, versions…) that many
                feature values can use.
              </p>
            </Empty>
          ) : (
            <DataTable columns={['Name', 'Rules', 'Used by', 'Updated']} testId="app-strategy-list">
              {l.items.map((item) => {
                const s = item.strategy ?? {};
                const usage = item.usage ?? [];
                const values = usage.reduce((n, u) => n + (u.featuresCount ?? 0), 0);
                return (
                  <tr key={s.id} data-testid="app-strategy-row">
                    <td>
                      <strong>{s.name}</strong> {s.disabled ? <Badge>disabled</Badge> : null}
                    </td>
                    <td className="muted small">{strategySummary(strategyToForm(s))}</td>
                    <td className="small">
                      {usage.length === 0
                        ? 'unused'
                        : `${usage.length} environment${usage.length === 1 ? '' : 's'}, ${values} feature value${values === 1 ? '' : 's'}`}
                    </td>
                    <td className="small" title={dateTime(item.whenUpdated)}>
                      {relativeTime(item.whenUpdated ?? item.whenCreated)}
                      {item.updatedBy?.name ? ` by ${item.updatedBy.name}` : ''}
                    </td>
                    <td className="actions-cell">
                      {canEdit ? (
                        <IconButton
                          icon="edit"
                          label={`Edit ${s.name}`}
                          onClick={() => setEditing(item)}
                          data-testid="app-strategy-edit"
                        />
                      ) : null}
                      {canDelete ? (
                        <IconButton
                          icon="trash"
                          label={`Delete ${s.name}`}
                          onClick={() => setDeleting(s)}
                          data-testid="app-strategy-delete"
                        />
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </DataTable>
          )
        }
      </LoadGate>
      {editing ? (
        <StrategyEditor
          title={editing === 'new' ? 'Create application strategy' : 'Edit application strategy'}
          initial={editing === 'new' ? emptyStrategy() : strategyToForm(editing.strategy ?? {})}
          withValue={false}
          busy={save.busy}
          serverError={save.error}
          onClose={() => {
            save.clearError();
            setEditing(undefined);
          }}
          onDone={(f) => void save.run(f)}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete application strategy"
          message={
            <p>
              Delete <strong>{deleting.name}</strong>? It is detached from every feature value that uses it.
            </p>
          }
          confirmLabel="Delete strategy"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deleteApplicationStrategy(appId, deleting.id ?? '');
            toast(`Deleted ${deleting.name}`);
            list.reload();
          }}
        />
      ) : null}
    </>
  );
}
