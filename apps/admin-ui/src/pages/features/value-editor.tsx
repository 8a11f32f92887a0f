import { useState } from 'react';
import { ApiError } from '../../api/errors.ts';
import type {
  Feature,
  FeatureValue,
  FeatureValueType,
  RoleType,
  RolloutStrategyInstance,
  StrategyValue,
} from '../../api/types.ts';
import { defaultValueOf, displayValue, toWireValue, withDefaultValue } from '../../lib/feature-value.ts';
import { dateTime, relativeTime } from '../../lib/format.ts';
import {
  emptyStrategy,
  formToStrategy,
  hasProblems,
  moveItem,
  percentageTotalProblem,
  type StrategyForm,
  strategyToForm,
  strategyValueProblem,
  validateStrategy,
} from '../../lib/strategy-form.ts';
import { Button, IconButton } from '../../ui/buttons.tsx';
import { Badge, Empty, ErrorBanner, LoadGate, Notice, useToast } from '../../ui/feedback.tsx';
import { Checkbox, Switch } from '../../ui/forms.tsx';
import { useAction, useLoad } from '../../ui/hooks.ts';
import { Icon } from '../../ui/icons.tsx';
import { Modal } from '../../ui/overlays.tsx';
import { useDragReorder } from '../../ui/reorder.ts';
import { useApi } from '../../ui/session.tsx';
import { Tabs } from '../../ui/tabs.tsx';
import { StrategyEditor, strategySummary } from './strategy-editor.tsx';
import { TypedValueInput, typedValueProblem } from './typed-value.tsx';

export interface EnvironmentColumn {
  id: string;
  name: string;
  roles: RoleType[] | undefined;
  production?: boolean;
}

interface Draft {
  locked: boolean;
  retired: boolean;
  value: StrategyValue;
  strategies: StrategyForm[];
  instances: RolloutStrategyInstance[];
}

function draftOf(fv: FeatureValue | undefined, type: FeatureValueType): Draft {
  return {
    // Upstream creates new boolean values locked; a missing value of another type starts unlocked.
    locked: fv?.locked ?? false,
    retired: fv?.retired ?? false,
    value: fv === undefined && type === 'BOOLEAN' ? false : defaultValueOf(fv, type),
    strategies: (fv?.rolloutStrategies ?? []).map(strategyToForm),
    instances: (fv?.rolloutStrategyInstances ?? []).map((i) => ({ ...i })),
  };
}

function can(roles: RoleType[] | undefined, role: RoleType): boolean {
  // No role list means the server did not say: let it decide and report.
  return roles === undefined || roles.includes(role);
}

function History({ appId, feature, env }: { appId: string; feature: Feature; env: EnvironmentColumn }) {
  const api = useApi();
  const type = feature.valueType ?? 'BOOLEAN';
  const history = useLoad(
    () =>
      api.featureHistory(appId, {
        featureIds: feature.id ? [feature.id] : [],
        environmentIds: [env.id],
        max: 20,
      }),
    [appId, feature.id, env.id],
  );
  return (
    <LoadGate loaded={history}>
      {(h) => {
        const rows = (h.items ?? [])
          .filter((i) => i.envId === undefined || i.envId === env.id)
          .flatMap((i) => i.history ?? [])
          .sort((a, b) => (b.version ?? 0) - (a.version ?? 0));
        if (rows.length === 0)
          return <Empty title="No history yet">Changes to this value will be listed here.</Empty>;
        return (
          <ol className="history" data-testid="value-history">
            {rows.map((r) => (
              <li key={r.version} className="history-item" data-testid="history-item">
                <div className="history-head">
                  <strong>Version {r.version}</strong>
                  <span title={dateTime(r.when)}>{relativeTime(r.when)}</span>
                  <span>
                    by {r.who?.name || r.who?.email || 'unknown'}
                    {r.who?.type && r.who.type !== 'person' ? ' (service account)' : ''}
                  </span>
                </div>
                <div className="history-body">
                  <span>
                    Value:{' '}
                    <code>
                      {displayValue(type, toWireValue(type, (r.value ?? null) as StrategyValue), 80)}
                    </code>
                  </span>
                  {r.locked ? <Badge tone="warn">locked</Badge> : null}
                  {r.retired ? <Badge tone="danger">retired</Badge> : null}
                  {(r.rolloutStrategies ?? []).length > 0 ? (
                    <span className="muted">
                      Strategies: {(r.rolloutStrategies ?? []).map((s) => s.name).join(', ')}
                    </span>
                  ) : null}
                </div>
              </li>
            ))}
          </ol>
        );
      }}
    </LoadGate>
  );
}

/** The panel that edits one feature's value in one environment. */
export function FeatureValueEditor({
  appId,
  feature,
  env,
  value,
  onClose,
  onSaved,
}: {
  appId: string;
  feature: Feature;
  env: EnvironmentColumn;
  value: FeatureValue | undefined;
  onClose: () => void;
  onSaved: (fv: FeatureValue) => void;
}) {
  const api = useApi();
  const toast = useToast();
  const type: FeatureValueType = feature.valueType ?? 'BOOLEAN';
  const [base, setBase] = useState<FeatureValue | undefined>(value);
  const [draft, setDraft] = useState<Draft>(() => draftOf(value, type));
  const [tab, setTab] = useState<'value' | 'history'>('value');
  const [editing, setEditing] = useState<number | 'new' | undefined>(undefined);
  const [tried, setTried] = useState(false);
  const [conflict, setConflict] = useState(false);
  const appStrategies = useLoad(() => api.applicationStrategies(appId), [appId]);
  const [pickStrategy, setPickStrategy] = useState('');
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  const canChange = can(env.roles, 'CHANGE_VALUE');
  const canLock = can(env.roles, 'LOCK');
  const canUnlock = can(env.roles, 'UNLOCK');
  const wasLocked = base?.locked ?? false;
  const frozen = draft.locked && wasLocked; // locked and not being unlocked in this edit
  const editable = canChange && !frozen;
  const { itemProps } = useDragReorder(draft.strategies, (s) => set({ strategies: s }));

  const valueProblem = typedValueProblem(type, draft.value);
  const strategyProblems = draft.strategies.map((s) =>
    validateStrategy(s, { valueType: type, requireValue: true }),
  );
  const totalProblem = percentageTotalProblem(draft.strategies.map((s) => formToStrategy(s, true, type)));
  const instanceProblems = draft.instances.map(
    (i) => strategyValueProblem(type, i.value ?? null) ?? typedValueProblem(type, i.value ?? null),
  );

  const save = useAction(async () => {
    setConflict(false);
    const start: FeatureValue = base ?? { key: feature.key ?? '', locked: false, environmentId: env.id };
    const {
      whoUpdated: _w,
      whenUpdated: _wu,
      whatUpdated: _wh,
      featureGroupStrategies: _fg,
      sharedRolloutStrategies: _s,
      ...rest
    } = start;
    const fv = withDefaultValue(
      {
        ...rest,
        key: feature.key ?? rest.key,
        environmentId: env.id,
        locked: draft.locked,
        retired: draft.retired,
        rolloutStrategies: draft.strategies.map((s) => formToStrategy(s, true, type)),
        rolloutStrategyInstances: draft.instances.map((i) => ({
          strategyId: i.strategyId,
          value: toWireValue(type, i.value ?? null),
          ...(i.disabled ? { disabled: true } : {}),
          ...(i.name ? { name: i.name } : {}),
        })),
      },
      type,
      draft.value,
    );
    try {
      const saved = await api.saveFeatureValue(env.id, fv, base !== undefined);
      onSaved(saved ?? fv);
      toast(`Saved ${feature.name} in ${env.name}`);
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setConflict(true);
      throw e;
    }
  });

  const reload = useAction(async () => {
    const fresh = await api.getFeatureValue(env.id, feature.key ?? '');
    setBase(fresh);
    setDraft(draftOf(fresh, type));
    setConflict(false);
    save.clearError();
  });

  const submit = () => {
    setTried(true);
    if (
      valueProblem ||
      totalProblem ||
      strategyProblems.some(hasProblems) ||
      instanceProblems.some((p) => p !== undefined)
    ) {
      return;
    }
    void save.run();
  };

  const editingForm =
    editing === 'new' ? emptyStrategy(type) : editing !== undefined ? draft.strategies[editing] : undefined;
  const attachable = (appStrategies.data?.items ?? []).filter(
    (i) => i.strategy?.id && !draft.instances.some((x) => x.strategyId === i.strategy?.id),
  );

  return (
    <Modal
      size="panel"
      onClose={onClose}
      testId="value-editor"
      title={
        <span className="editor-title">
          <span>{feature.name}</span>
          <span className="editor-sub">
            <code>{feature.key}</code> in <strong>{env.name}</strong>
            {env.production ? <Badge tone="accent">production</Badge> : null}
          </span>
        </span>
      }
      footer={
        tab === 'value' ? (
          <>
            {save.error || reload.error ? (
              <div className="footer-message">
                <ErrorBanner error={save.error ?? reload.error} testId="value-error" />
                {conflict ? (
                  <Button
                    className="btn-sm"
                    icon="refresh"
                    busy={reload.busy}
                    onClick={() => void reload.run()}
                    data-testid="value-reload"
                  >
                    Load latest (drops your changes)
                  </Button>
                ) : null}
              </div>
            ) : null}
            <Button onClick={onClose}>Cancel</Button>
            <Button
              variant="primary"
              busy={save.busy}
              onClick={submit}
              data-testid="value-save"
              disabled={!canChange && !canLock && !canUnlock}
            >
              Save
            </Button>
          </>
        ) : (
          <Button onClick={onClose}>Close</Button>
        )
      }
    >
      <Tabs
        label="Value editor sections"
        value={tab}
        onChange={setTab}
        tabs={[
          { value: 'value', label: 'Value & strategies' },
          { value: 'history', label: 'History' },
        ]}
      />
      {tab === 'history' ? (
        <History appId={appId} feature={feature} env={env} />
      ) : (
        <div className="stack editor-body">
          {base?.whenUpdated ? (
            <p className="muted small" data-testid="value-updated">
              Last changed {relativeTime(base.whenUpdated)} ({dateTime(base.whenUpdated)})
              {base.whoUpdated?.name ? ` by ${base.whoUpdated.name}` : ''}. Version {base.version ?? 0}.
            </p>
          ) : base === undefined ? (
            <p className="muted small">No value has been set in this environment yet.</p>
          ) : null}
          {!canChange ? (
            <Notice tone="warn">You can view this value but not change it in {env.name}.</Notice>
          ) : null}

          <div className="lock-row">
            <Switch
              label={
                <span className="with-icon">
                  <Icon name={draft.locked ? 'lock' : 'unlock'} /> {draft.locked ? 'Locked' : 'Unlocked'}
                </span>
              }
              checked={draft.locked}
              onChange={(v) => set({ locked: v })}
              disabled={draft.locked ? !canUnlock : !canLock}
              testId="value-locked"
            />
            <span className="muted small">
              {frozen
                ? 'Unlock to change the value, strategies or retired status.'
                : 'A locked value cannot be changed until it is unlocked.'}
            </span>
          </div>

          <section className="panel-section">
            <h3 className="section-title">Default value</h3>
            <TypedValueInput
              type={type}
              label={type === 'BOOLEAN' ? 'Flag is' : 'Value served when no strategy matches'}
              value={draft.value}
              onChange={(v) => set({ value: v })}
              disabled={!editable}
              testId="value-default"
            />
          </section>

          <section className="panel-section" aria-labelledby="custom-strategies">
            <div className="section-head">
              <h3 className="section-title" id="custom-strategies">
                Strategies <span className="muted small">(checked top to bottom; the first match wins)</span>
              </h3>
              <Button
                className="btn-sm"
                icon="plus"
                disabled={!editable}
                onClick={() => setEditing('new')}
                data-testid="add-strategy"
              >
                Add strategy
              </Button>
            </div>
            {draft.strategies.length === 0 ? (
              <p className="muted small">No custom strategies: everyone gets the default value.</p>
            ) : null}
            <ol className="strategy-list" data-testid="strategy-list">
              {draft.strategies.map((s, i) => {
                const p = strategyProblems[i];
                return (
                  <li
                    key={s.id ?? `new-${i}`}
                    className={`strategy-card${s.disabled ? ' strategy-disabled' : ''}${tried && p && hasProblems(p) ? ' strategy-invalid' : ''}`}
                    data-testid="strategy-item"
                    {...(editable ? itemProps(i) : {})}
                  >
                    {editable ? (
                      <span className="drag-handle" aria-hidden="true" title="Drag to reorder">
                        <Icon name="drag" />
                      </span>
                    ) : null}
                    <div className="strategy-main">
                      <div className="strategy-name">
                        {s.name || <em>unnamed</em>} {s.disabled ? <Badge>disabled</Badge> : null}
                      </div>
                      <div className="muted small">{strategySummary(s)}</div>
                      <div className="strategy-value">
                        serves <code>{displayValue(type, toWireValue(type, s.value))}</code>
                      </div>
                      {tried && p && hasProblems(p) ? (
                        <div className="field-error">
                          {p.name ?? p.percentage ?? p.value ?? p.general ?? Object.values(p.rules)[0]}
                        </div>
                      ) : null}
                    </div>
                    <div className="strategy-actions">
                      <IconButton
                        icon="up"
                        label={`Move ${s.name} up`}
                        disabled={!editable || i === 0}
                        onClick={() => set({ strategies: moveItem(draft.strategies, i, i - 1) })}
                      />
                      <IconButton
                        icon="down"
                        label={`Move ${s.name} down`}
                        disabled={!editable || i === draft.strategies.length - 1}
                        onClick={() => set({ strategies: moveItem(draft.strategies, i, i + 1) })}
                      />
                      <IconButton
                        icon="edit"
                        label={`Edit ${s.name}`}
                        disabled={!editable}
                        onClick={() => setEditing(i)}
                        data-testid="strategy-edit"
                      />
                      <IconButton
                        icon="trash"
                        label={`Remove ${s.name}`}
                        disabled={!editable}
                        onClick={() => set({ strategies: draft.strategies.filter((_, j) => j !== i) })}
                        data-testid="strategy-remove"
                      />
                    </div>
                  </li>
                );
              })}
            </ol>
            {tried && totalProblem ? <ErrorBanner error={totalProblem} /> : null}
          </section>

          <section className="panel-section" aria-labelledby="app-strategies">
            <h3 className="section-title" id="app-strategies">
              Application strategies
            </h3>
            {draft.instances.length === 0 ? <p className="muted small">None attached.</p> : null}
            <ol className="strategy-list" data-testid="app-strategy-list">
              {draft.instances.map((inst, i) => (
                <li
                  key={inst.strategyId}
                  className={`strategy-card${inst.disabled ? ' strategy-disabled' : ''}`}
                  data-testid="app-strategy-item"
                >
                  <div className="strategy-main">
                    <div className="strategy-name">
                      {inst.name ??
                        appStrategies.data?.items.find((x) => x.strategy?.id === inst.strategyId)?.strategy
                          ?.name ??
                        'Application strategy'}
                    </div>
                    <TypedValueInput
                      type={type}
                      label="Serve"
                      value={inst.value ?? (type === 'BOOLEAN' ? false : null)}
                      onChange={(v) =>
                        set({ instances: draft.instances.map((x, j) => (j === i ? { ...x, value: v } : x)) })
                      }
                      disabled={!editable}
                    />
                    <Checkbox
                      label="Disabled here"
                      checked={inst.disabled ?? false}
                      disabled={!editable}
                      onChange={(v) =>
                        set({
                          instances: draft.instances.map((x, j) => (j === i ? { ...x, disabled: v } : x)),
                        })
                      }
                    />
                    {tried && instanceProblems[i] ? (
                      <div className="field-error">{instanceProblems[i]}</div>
                    ) : null}
                  </div>
                  <div className="strategy-actions">
                    <IconButton
                      icon="up"
                      label="Move up"
                      disabled={!editable || i === 0}
                      onClick={() => set({ instances: moveItem(draft.instances, i, i - 1) })}
                    />
                    <IconButton
                      icon="down"
                      label="Move down"
                      disabled={!editable || i === draft.instances.length - 1}
                      onClick={() => set({ instances: moveItem(draft.instances, i, i + 1) })}
                    />
                    <IconButton
                      icon="trash"
                      label="Detach"
                      disabled={!editable}
                      onClick={() => set({ instances: draft.instances.filter((_, j) => j !== i) })}
                    />
                  </div>
                </li>
              ))}
            </ol>
            {attachable.length > 0 ? (
              <div className="row attach-row">
                <label className="visually-hidden" htmlFor="attach-app-strategy">
                  Application strategy to attach
                </label>
                <select
                  id="attach-app-strategy"
                  value={pickStrategy}
                  onChange={(e) => setPickStrategy(e.target.value)}
                  disabled={!editable}
                  data-testid="attach-app-strategy"
                >
                  <option value="">Choose an application strategy…</option>
                  {attachable.map((a) => (
                    <option key={a.strategy?.id} value={a.strategy?.id}>
                      {a.strategy?.name}
                    </option>
                  ))}
                </select>
                <Button
                  className="btn-sm"
                  icon="plus"
                  disabled={!editable || pickStrategy === ''}
                  data-testid="attach-app-strategy-add"
                  onClick={() => {
                    const s = attachable.find((a) => a.strategy?.id === pickStrategy)?.strategy;
                    if (!s?.id) return;
                    const inst: RolloutStrategyInstance = {
                      strategyId: s.id,
                      value: type === 'BOOLEAN' ? true : null,
                    };
                    if (s.name) inst.name = s.name;
                    set({ instances: [...draft.instances, inst] });
                    setPickStrategy('');
                  }}
                >
                  Attach
                </Button>
              </div>
            ) : appStrategies.error ? (
              <p className="muted small">Application strategies could not be loaded: {appStrategies.error}</p>
            ) : null}
          </section>

          {(base?.featureGroupStrategies ?? []).length > 0 ? (
            <section className="panel-section">
              <h3 className="section-title">From feature groups (read only)</h3>
              <ul className="plain-list">
                {(base?.featureGroupStrategies ?? []).map((g) => (
                  <li key={`${g.featureGroupId}-${g.name}`}>
                    {g.name}: <code>{displayValue(type, toWireValue(type, g.value ?? null))}</code>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}

          <section className="panel-section">
            <Checkbox
              label="Retired"
              hint=" — SDKs no longer receive this feature in this environment."
              checked={draft.retired}
              onChange={(v) => set({ retired: v })}
              disabled={!editable}
              testId="value-retired"
            />
          </section>

          {tried && valueProblem ? <ErrorBanner error={`Default value: ${valueProblem}`} /> : null}
        </div>
      )}
      {editingForm ? (
        <StrategyEditor
          title={editing === 'new' ? 'Add strategy' : 'Edit strategy'}
          initial={editingForm}
          valueType={type}
          withValue
          onClose={() => setEditing(undefined)}
          onDone={(f) => {
            if (editing === 'new') set({ strategies: [...draft.strategies, f] });
            else set({ strategies: draft.strategies.map((x, j) => (j === editing ? f : x)) });
            setEditing(undefined);
          }}
        />
      ) : null}
    </Modal>
  );
}
