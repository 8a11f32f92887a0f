import { useEffect, useId, useMemo, useState } from 'react';
import type { Feature, FeatureValue, FeatureValueType, HiddenEnvironments } from '../../api/types.ts';
import { defaultValueOf, displayValue, isSet, VALUE_TYPE_SHORT } from '../../lib/feature-value.ts';
import { promotionOrder } from '../../lib/format.ts';
import { Button, CopyButton, IconButton } from '../../ui/buttons.tsx';
import { Badge, Empty, ErrorBanner, Loading, useToast } from '../../ui/feedback.tsx';
import { usePortfolioFilters } from '../../ui/filter-picker.tsx';
import { Checkbox } from '../../ui/forms.tsx';
import { useAction, useDebounced, useLoad } from '../../ui/hooks.ts';
import { Icon } from '../../ui/icons.tsx';
import { rememberApp } from '../../ui/layout.tsx';
import { ConfirmDialog, Modal } from '../../ui/overlays.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { setQuery, useLocation } from '../../ui/router.tsx';
import { useSession } from '../../ui/session.tsx';
import { FeatureDialog } from './feature-dialog.tsx';
import { type EnvironmentColumn, FeatureValueEditor } from './value-editor.tsx';

const PAGE_SIZES = [10, 20, 50, 100];
const SHOWN_KEY = 'fh.shown-environments.';

// The choice of columns is kept on the server, per person and application (the user-state API). The
// copy in this browser is only a fallback for when the server cannot be asked or refuses the choice.
function locallyShownEnvironments(appId: string): HiddenEnvironments {
  try {
    const raw = window.localStorage.getItem(SHOWN_KEY + appId);
    const parsed: unknown = raw === null ? undefined : JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { environmentIds, noneSelected } = parsed as Record<string, unknown>;
    return {
      environmentIds: Array.isArray(environmentIds)
        ? environmentIds.filter((x): x is string => typeof x === 'string')
        : [],
      noneSelected: noneSelected === true,
    };
  } catch {
    return {};
  }
}

function rememberShownEnvironmentsLocally(appId: string, shown: HiddenEnvironments): void {
  try {
    window.localStorage.setItem(SHOWN_KEY + appId, JSON.stringify(shown));
  } catch {
    // storage disabled: the choice lasts for this visit
  }
}
const TYPES: FeatureValueType[] = ['BOOLEAN', 'STRING', 'NUMBER', 'JSON'];

function ValueCell({
  feature,
  env,
  fv,
  onOpen,
}: {
  feature: Feature;
  env: EnvironmentColumn;
  fv: FeatureValue | undefined;
  onOpen: () => void;
}) {
  const type = feature.valueType;
  const set = isSet(fv, type);
  const value = defaultValueOf(fv, type);
  const custom = fv?.rolloutStrategies?.length ?? 0;
  const shared = fv?.rolloutStrategyInstances?.length ?? 0;
  const group = fv?.featureGroupStrategies?.length ?? 0;
  const label = `${feature.name} in ${env.name}: ${set ? displayValue(type, value) : 'not set'}${fv?.locked ? ', locked' : ''}${fv?.retired ? ', retired' : ''}${custom + shared + group > 0 ? `, ${custom + shared + group} strategies` : ''}. Edit.`;
  return (
    <td className="value-cell">
      <button
        type="button"
        className="cell-button"
        onClick={onOpen}
        aria-label={label}
        data-testid={`cell-${feature.key}-${env.name}`}
      >
        <span className="cell-value">
          {!set ? (
            <span className="not-set">not set</span>
          ) : type === 'BOOLEAN' ? (
            <Badge tone={value === true ? 'on' : 'off'}>{value === true ? 'On' : 'Off'}</Badge>
          ) : (
            <span className="cell-text mono">{displayValue(type, value, 24)}</span>
          )}
        </span>
        <span className="cell-flags">
          {fv?.locked ? (
            <span className="flag-icon" title="Locked">
              <Icon name="lock" size={14} />
            </span>
          ) : null}
          {fv?.retired ? <Badge tone="danger">retired</Badge> : null}
          {custom > 0 ? (
            <Badge tone="info" title={(fv?.rolloutStrategies ?? []).map((s) => s.name).join(', ')}>
              {custom} {custom === 1 ? 'strategy' : 'strategies'}
            </Badge>
          ) : null}
          {shared > 0 ? (
            <Badge
              tone="accent"
              title={(fv?.rolloutStrategyInstances ?? [])
                .map((s) => s.name ?? 'application strategy')
                .join(', ')}
            >
              {shared} app
            </Badge>
          ) : null}
          {group > 0 ? (
            <Badge tone="neutral" title={(fv?.featureGroupStrategies ?? []).map((s) => s.name).join(', ')}>
              {group} group
            </Badge>
          ) : null}
        </span>
      </button>
    </td>
  );
}

function EnvironmentChooser({
  envs,
  shown,
  onClose,
  onSave,
}: {
  envs: EnvironmentColumn[];
  shown: Set<string>;
  onClose: () => void;
  onSave: (ids: string[]) => Promise<void>;
}) {
  const [chosen, setChosen] = useState<Set<string>>(new Set(shown));
  const action = useAction(async () => {
    await onSave(envs.filter((e) => chosen.has(e.id)).map((e) => e.id));
    onClose();
  });
  return (
    <Modal
      title="Environments to show"
      size="sm"
      onClose={onClose}
      onSubmit={() => void action.run()}
      testId="environment-chooser"
      footer={
        <>
          <Button onClick={() => setChosen(new Set(envs.map((e) => e.id)))}>All</Button>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={action.busy} data-testid="environment-chooser-save">
            Show
          </Button>
        </>
      }
    >
      <div className="stack-sm">
        {envs.map((e) => (
          <Checkbox
            key={e.id}
            label={e.name}
            checked={chosen.has(e.id)}
            testId={`show-env-${e.name}`}
            onChange={(v) => {
              const next = new Set(chosen);
              if (v) next.add(e.id);
              else next.delete(e.id);
              setChosen(next);
            }}
          />
        ))}
        <ErrorBanner error={action.error} />
      </div>
    </Modal>
  );
}

export function FeaturesPage({ appId }: { appId: string }) {
  const { api, portfolio, isPortfolioAdmin } = useSession();
  const toast = useToast();
  const { search } = useLocation();
  const searchId = useId();
  const typeId = useId();
  const sizeId = useId();
  const [text, setText] = useState(search.get('q') ?? '');
  const filter = useDebounced(text, 300);
  const type = (search.get('type') ?? '') as FeatureValueType | '';
  const filterId = search.get('filter') ?? '';
  const filterSelectId = useId();
  const portfolioFilters = usePortfolioFilters();
  const page = Math.max(0, Number(search.get('page') ?? '0') || 0);
  const pageSize = PAGE_SIZES.includes(Number(search.get('size'))) ? Number(search.get('size')) : 20;

  useEffect(() => rememberApp(appId), [appId]);
  useEffect(() => {
    if ((search.get('q') ?? '') !== filter) setQuery({ q: filter, page: undefined });
  }, [filter, search]);

  const app = useLoad(() => api.getApplication(appId), [appId]);
  const perms = useLoad(() => api.applicationPermissions(appId).catch(() => undefined), [appId]);
  const envList = useLoad(() => api.environments(appId), [appId]);
  const shown = useLoad(
    () => api.hiddenEnvironments(appId).catch(() => locallyShownEnvironments(appId)),
    [appId],
  );
  const dashboard = useLoad(
    () =>
      api.dashboard(appId, {
        filter: filter.trim() || undefined,
        featureTypes: type ? [type] : undefined,
        featureFilter: filterId ? [filterId] : undefined,
        max: pageSize,
        page,
        sortOrder: 'ASC',
      }),
    [appId, filter, type, filterId, page, pageSize],
  );
  const [editing, setEditing] = useState<{ feature: Feature; env: EnvironmentColumn } | undefined>(undefined);
  const [featureDialog, setFeatureDialog] = useState<Feature | 'new' | undefined>(undefined);
  const [deleting, setDeleting] = useState<Feature | undefined>(undefined);
  const [choosing, setChoosing] = useState(false);

  // Columns: the environments the caller can read (from the dashboard), in promotion order.
  const columns: EnvironmentColumn[] = useMemo(() => {
    const fromDash = dashboard.data?.environments ?? [];
    const details = new Map((envList.data ?? []).map((e) => [e.id, e]));
    const merged = fromDash.map((d) => ({
      id: d.environmentId ?? '',
      name: d.environmentName ?? details.get(d.environmentId)?.name ?? '',
      priorEnvironmentId: d.priorEnvironmentId ?? details.get(d.environmentId)?.priorEnvironmentId,
      roles: d.roles,
      production: details.get(d.environmentId)?.production ?? false,
    }));
    return promotionOrder(merged);
  }, [dashboard.data, envList.data]);

  const shownIds = useMemo(() => {
    const h = shown.data;
    const ids = h?.environmentIds ?? [];
    if (h?.noneSelected) return new Set<string>();
    if (ids.length === 0) return new Set(columns.map((c) => c.id));
    return new Set(ids);
  }, [shown.data, columns]);
  const visible = columns.filter((c) => shownIds.has(c.id));

  const values = useMemo(() => {
    const m = new Map<string, FeatureValue>();
    for (const e of dashboard.data?.environments ?? []) {
      for (const fv of e.features ?? []) m.set(`${e.environmentId}|${fv.key}`, fv);
    }
    return m;
  }, [dashboard.data]);

  const roles = perms.data?.applicationRoles ?? [];
  const admin = isPortfolioAdmin(portfolio?.id);
  const canCreate =
    admin ||
    roles.some((r) => r === 'FEATURE_CREATE' || r === 'FEATURE_EDIT' || r === 'FEATURE_EDIT_AND_DELETE');
  const canEdit = admin || roles.some((r) => r === 'FEATURE_EDIT' || r === 'FEATURE_EDIT_AND_DELETE');
  const canDelete = admin || roles.includes('FEATURE_EDIT_AND_DELETE');

  const total = dashboard.data?.maxFeatures ?? 0;
  const features = dashboard.data?.features ?? [];
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const noEnvironments = dashboard.data !== undefined && columns.length === 0;

  const updateValue = (envId: string, fv: FeatureValue) => {
    const d = dashboard.data;
    if (!d) return;
    dashboard.setData({
      ...d,
      environments: d.environments.map((e) =>
        e.environmentId === envId
          ? { ...e, features: [...(e.features ?? []).filter((x) => x.key !== fv.key), fv] }
          : e,
      ),
    });
  };

  return (
    <>
      <PageHeader
        title="Features"
        subtitle={
          app.data?.name
            ? `${app.data.name}${total ? ` · ${total} feature${total === 1 ? '' : 's'}` : ''}`
            : undefined
        }
        actions={
          canCreate ? (
            <Button
              variant="primary"
              icon="plus"
              onClick={() => setFeatureDialog('new')}
              data-testid="create-feature"
            >
              Create feature
            </Button>
          ) : null
        }
      />
      <search className="toolbar">
        <div className="search-box">
          <label htmlFor={searchId} className="visually-hidden">
            Search features by name or key
          </label>
          <Icon name="search" />
          <input
            id={searchId}
            type="search"
            placeholder="Search name or key"
            value={text}
            onChange={(e) => setText(e.target.value)}
            data-testid="feature-search"
          />
        </div>
        <div className="toolbar-field">
          <label htmlFor={typeId}>Type</label>
          <select
            id={typeId}
            value={type}
            onChange={(e) => setQuery({ type: e.target.value, page: undefined })}
            data-testid="feature-type-filter"
          >
            <option value="">All types</option>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {VALUE_TYPE_SHORT[t]}
              </option>
            ))}
          </select>
        </div>
        {portfolioFilters && portfolioFilters.length > 0 ? (
          <div className="toolbar-field">
            <label htmlFor={filterSelectId}>Feature filter</label>
            <select
              id={filterSelectId}
              value={filterId}
              onChange={(e) => setQuery({ filter: e.target.value, page: undefined })}
              data-testid="feature-filter-select"
            >
              <option value="">All features</option>
              {portfolioFilters.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <Button
          icon="layers"
          onClick={() => setChoosing(true)}
          disabled={columns.length === 0}
          data-testid="choose-environments"
        >
          Environments ({visible.length}/{columns.length})
        </Button>
        <Button
          variant="ghost"
          icon="refresh"
          onClick={dashboard.reload}
          aria-label="Refresh"
          title="Refresh"
          className="btn-icon"
        />
      </search>

      {dashboard.error ? <ErrorBanner error={dashboard.error} testId="load-error" /> : null}
      {dashboard.data === undefined && dashboard.loading ? <Loading /> : null}
      {noEnvironments ? (
        <Empty title="No environments you can see">
          <p>Create an environment, or ask an administrator for access to one.</p>
        </Empty>
      ) : null}
      {dashboard.data && features.length === 0 && !noEnvironments ? (
        <Empty title={filter || type ? 'No features match' : 'No features yet'}>
          {canCreate && !filter && !type ? <p>Create the first feature of this application.</p> : null}
        </Empty>
      ) : null}
      {dashboard.data && features.length > 0 && columns.length > 0 ? (
        <div className="table-wrap" aria-busy={dashboard.loading || undefined}>
          <table className="console" data-testid="features-console">
            <caption className="visually-hidden">Feature values by environment</caption>
            <thead>
              <tr>
                <th scope="col" className="feature-col">
                  Feature
                </th>
                {visible.map((env) => (
                  <th key={env.id} scope="col" data-testid={`env-col-${env.name}`}>
                    <span className="env-head">
                      {env.name}
                      {env.production ? <Badge tone="accent">prod</Badge> : null}
                    </span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {features.map((f) => (
                <tr key={f.id ?? f.key} data-testid={`feature-row-${f.key}`}>
                  <th scope="row" className="feature-col">
                    <div className="feature-cell">
                      <div className="feature-name">
                        <span>{f.name}</span>
                        <Badge>{f.valueType ? VALUE_TYPE_SHORT[f.valueType] : '?'}</Badge>
                      </div>
                      <div className="feature-key mono">{f.key}</div>
                      <div className="feature-actions">
                        <CopyButton value={f.key ?? ''} label="Key" testId={`copy-key-${f.key}`} />
                        {f.link ? (
                          <a
                            className="btn btn-ghost btn-icon"
                            href={f.link}
                            target="_blank"
                            rel="noreferrer"
                            aria-label={`Open link for ${f.name}`}
                            title={f.link}
                          >
                            <Icon name="link" />
                          </a>
                        ) : null}
                        <IconButton
                          icon={canEdit ? 'edit' : 'eye'}
                          label={`${canEdit ? 'Edit' : 'View'} ${f.name}`}
                          onClick={() => setFeatureDialog(f)}
                          data-testid={`edit-feature-${f.key}`}
                        />
                        {canDelete ? (
                          <IconButton
                            icon="trash"
                            label={`Delete ${f.name}`}
                            onClick={() => setDeleting(f)}
                            data-testid={`delete-feature-${f.key}`}
                          />
                        ) : null}
                      </div>
                    </div>
                  </th>
                  {visible.map((env) => (
                    <ValueCell
                      key={env.id}
                      feature={f}
                      env={env}
                      fv={values.get(`${env.id}|${f.key}`)}
                      onOpen={() => setEditing({ feature: f, env })}
                    />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      {dashboard.data && total > 0 ? (
        <nav className="pager" aria-label="Pages of features">
          <span className="muted">
            {page * pageSize + 1}–{Math.min(total, (page + 1) * pageSize)} of {total}
          </span>
          <label htmlFor={sizeId} className="visually-hidden">
            Features per page
          </label>
          <select
            id={sizeId}
            value={pageSize}
            onChange={(e) => setQuery({ size: e.target.value, page: undefined })}
            data-testid="page-size"
          >
            {PAGE_SIZES.map((s) => (
              <option key={s} value={s}>
                {s} per page
              </option>
            ))}
          </select>
          <Button
            disabled={page === 0}
            onClick={() => setQuery({ page: page - 1 > 0 ? String(page - 1) : undefined })}
            data-testid="page-prev"
          >
            Previous
          </Button>
          <span aria-current="page">
            Page {page + 1} of {pages}
          </span>
          <Button
            disabled={page + 1 >= pages}
            onClick={() => setQuery({ page: String(page + 1) })}
            data-testid="page-next"
          >
            Next
          </Button>
        </nav>
      ) : null}

      {editing ? (
        <FeatureValueEditor
          appId={appId}
          feature={editing.feature}
          env={editing.env}
          value={values.get(`${editing.env.id}|${editing.feature.key}`)}
          onClose={() => setEditing(undefined)}
          onSaved={(fv) => updateValue(editing.env.id, fv)}
        />
      ) : null}
      {featureDialog ? (
        <FeatureDialog
          appId={appId}
          {...(featureDialog === 'new' ? {} : { feature: featureDialog })}
          readOnly={featureDialog !== 'new' && !canEdit}
          onClose={() => setFeatureDialog(undefined)}
          onSaved={(key) => {
            toast(featureDialog === 'new' ? `Created ${key}` : `Saved ${key}`);
            setFeatureDialog(undefined);
            dashboard.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete feature"
          message={
            <p>
              Delete <strong>{deleting.name}</strong> (<code>{deleting.key}</code>) and its values in every
              environment? SDKs stop receiving it.
            </p>
          }
          confirmLabel="Delete feature"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deleteFeature(appId, deleting.key ?? '');
            toast(`Deleted ${deleting.key}`);
            dashboard.reload();
          }}
        />
      ) : null}
      {choosing ? (
        <EnvironmentChooser
          envs={columns}
          shown={shownIds}
          onClose={() => setChoosing(false)}
          onSave={async (ids) => {
            const all = ids.length === columns.length;
            const next = { noneSelected: ids.length === 0, environmentIds: all ? [] : ids };
            shown.setData(next);
            try {
              await api.saveHiddenEnvironments(appId, next);
            } catch {
              rememberShownEnvironmentsLocally(appId, next);
              toast('Could not save your choice of environments; it is kept in this browser only');
            }
          }}
        />
      ) : null}
    </>
  );
}
