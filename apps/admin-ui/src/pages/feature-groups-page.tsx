import { useEffect, useState } from 'react';
import type {
  FeatureGroup,
  FeatureGroupFeature,
  FeatureGroupListGroup,
  FeatureValueType,
  RolloutStrategy,
  StrategyValue,
} from '../api/types.ts';
import { displayValue, jsonProblem, parseNumberInput } from '../lib/feature-value.ts';
import { emptyStrategy, formToStrategy, type StrategyForm, strategyToForm } from '../lib/strategy-form.ts';
import { Button, IconButton } from '../ui/buttons.tsx';
import { DataTable, EditDeleteButtons } from '../ui/data-table.tsx';
import { Badge, Empty, ErrorBanner, LoadGate, Notice, useToast } from '../ui/feedback.tsx';
import { Checkbox, SelectField, TextField } from '../ui/forms.tsx';
import { useAction, useLoad } from '../ui/hooks.ts';
import { Icon } from '../ui/icons.tsx';
import { rememberApp } from '../ui/layout.tsx';
import { ConfirmDialog, FormDialog } from '../ui/overlays.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useSession } from '../ui/session.tsx';
import { StrategyEditor, strategySummary } from './features/strategy-editor.tsx';

// Feature groups (docs/feature-groups.md): per environment, a named set of features with one strategy; when it
// matches, each member serves its member value. The server checks every rule again; this page only guides.

/** A member as typed: whether it is in the group, and its value as text (flags: "true"/"false"). */
interface MemberDraft {
  member: boolean;
  text: string;
}

function memberText(type: FeatureValueType, value: StrategyValue | undefined): string {
  if (value === undefined || value === null) return type === 'BOOLEAN' ? 'false' : '';
  return String(value);
}

function memberProblem(type: FeatureValueType, text: string): string | undefined {
  if (type === 'NUMBER' && text.trim() !== '' && parseNumberInput(text) === undefined) return 'Not a number';
  if (type === 'JSON' && text.trim() !== '') return jsonProblem(text);
  return undefined;
}

function memberWireValue(type: FeatureValueType, text: string): StrategyValue {
  if (type === 'BOOLEAN') return text === 'true';
  if (type === 'NUMBER') return text.trim() === '' ? null : (parseNumberInput(text) ?? null);
  return text === '' && type === 'JSON' ? null : text;
}

export function FeatureGroupsPage({ appId }: { appId: string }) {
  const { api, portfolio, isPortfolioAdmin } = useSession();
  const toast = useToast();
  useEffect(() => rememberApp(appId), [appId]);
  const app = useLoad(() => api.getApplication(appId), [appId]);
  const envs = useLoad(() => api.environments(appId), [appId]);
  const perms = useLoad(() => api.applicationPermissions(appId).catch(() => undefined), [appId]);
  const [chosenEnv, setChosenEnv] = useState<string | undefined>(undefined);
  const envList = (envs.data ?? []).filter((e): e is typeof e & { id: string } => typeof e.id === 'string');
  const envId = chosenEnv ?? envList[0]?.id;
  const list = useLoad(
    () => (envId ? api.featureGroups(appId, envId) : Promise.resolve({ count: 0, featureGroups: [] })),
    [appId, envId],
  );
  const [editing, setEditing] = useState<FeatureGroupListGroup | 'new' | undefined>(undefined);
  const [strategyOf, setStrategyOf] = useState<FeatureGroup | undefined>(undefined);
  const [deleting, setDeleting] = useState<FeatureGroupListGroup | undefined>(undefined);
  const canChange =
    isPortfolioAdmin(portfolio?.id) ||
    (perms.data?.environments ?? []).some((e) => e.id === envId && (e.roles ?? []).includes('CHANGE_VALUE'));

  const openStrategy = useAction(async (g: FeatureGroupListGroup) => {
    setStrategyOf(await api.featureGroup(appId, g.id));
  });
  const saveStrategy = useAction(async (form: StrategyForm) => {
    if (!strategyOf) return;
    // Only the first strategy counts (as upstream); the UI edits that one.
    const strategies: RolloutStrategy[] = [formToStrategy(form, false)];
    await api.updateFeatureGroup(appId, {
      id: strategyOf.id,
      version: strategyOf.version,
      strategies,
    });
    toast(`Saved the strategy of ${strategyOf.name}`);
    setStrategyOf(undefined);
    list.reload();
  });
  const [unsetting, setUnsetting] = useState<FeatureGroupListGroup | undefined>(undefined);
  // Groups are evaluated in order; moving one swaps its order with its neighbour's. Orders are unique per
  // environment, so the moved group is parked past the last one while its neighbour takes its place.
  const move = useAction(async (g: FeatureGroupListGroup, step: -1 | 1) => {
    const groups = [...(list.data?.featureGroups ?? [])].sort((a, b) => a.order - b.order);
    const at = groups.findIndex((x) => x.id === g.id);
    const other = groups[at + step];
    if (!other) return;
    const [mine, theirs] = await Promise.all([
      api.featureGroup(appId, g.id),
      api.featureGroup(appId, other.id),
    ]);
    const parked = await api.updateFeatureGroup(appId, {
      id: mine.id,
      version: mine.version,
      order: Math.max(...groups.map((x) => x.order)) + 1,
    });
    await api.updateFeatureGroup(appId, { id: theirs.id, version: theirs.version, order: mine.order });
    await api.updateFeatureGroup(appId, { id: mine.id, version: parked.version, order: theirs.order });
    toast(`Moved ${g.name} ${step < 0 ? 'up' : 'down'}`);
    list.reload();
  });

  return (
    <>
      <PageHeader
        title="Feature groups"
        subtitle={
          app.data?.name
            ? `${app.data.name} · one strategy for many features, each with its own value`
            : undefined
        }
        actions={
          canChange && envId ? (
            <Button
              variant="primary"
              icon="plus"
              onClick={() => setEditing('new')}
              data-testid="create-feature-group"
            >
              Create group
            </Button>
          ) : null
        }
      />
      <div className="toolbar">
        {envList.length > 0 && envId ? (
          <SelectField
            label="Environment"
            value={envId}
            onChange={setChosenEnv}
            options={envList.map((e) => ({ value: e.id, label: e.name ?? e.id }))}
            testId="feature-group-environment"
          />
        ) : null}
      </div>
      <LoadGate loaded={list}>
        {(l) =>
          l.featureGroups.length === 0 ? (
            <Empty title="No feature groups in this environment yet">
              <p>
                A feature group gives many features one strategy: when it matches, each feature serves the
                value you give it in the group.
              </p>
            </Empty>
          ) : (
            <DataTable columns={['Order', 'Name', 'Features', 'Strategy']} testId="feature-group-list">
              {l.featureGroups.map((g) => (
                <tr key={g.id} data-testid="feature-group-row">
                  <td className="small">{g.order}</td>
                  <td>
                    <strong>{g.name}</strong>
                    {g.description ? <div className="muted small">{g.description}</div> : null}
                  </td>
                  <td className="small" data-testid="feature-group-members">
                    {g.features.length === 0 ? 'none' : g.features.map((f) => f.key).join(', ')}
                  </td>
                  <td className="small">
                    {g.hasStrategy ? (
                      <Badge tone="info">strategy set</Badge>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </td>
                  <td className="actions-cell">
                    {canChange ? (
                      <>
                        <IconButton
                          icon="up"
                          label={`Move ${g.name} up`}
                          disabled={move.busy || g.id === l.featureGroups[0]?.id}
                          onClick={() => void move.run(g, -1)}
                          data-testid="feature-group-up"
                        />
                        <IconButton
                          icon="down"
                          label={`Move ${g.name} down`}
                          disabled={move.busy || g.id === l.featureGroups[l.featureGroups.length - 1]?.id}
                          onClick={() => void move.run(g, 1)}
                          data-testid="feature-group-down"
                        />
                        <IconButton
                          icon="strategy"
                          label={`Strategy of ${g.name}`}
                          onClick={() => void openStrategy.run(g)}
                          data-testid="feature-group-strategy"
                        />
                        {g.hasStrategy ? (
                          <IconButton
                            icon="x"
                            label={`Remove the strategy of ${g.name}`}
                            onClick={() => setUnsetting(g)}
                            data-testid="feature-group-remove-strategy"
                          />
                        ) : null}
                        <EditDeleteButtons
                          name={g.name}
                          testId="feature-group"
                          onEdit={() => setEditing(g)}
                          onDelete={() => setDeleting(g)}
                        />
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </LoadGate>
      {editing && envId ? (
        <GroupDialog
          appId={appId}
          environmentId={envId}
          group={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={(name, created) => {
            toast(created ? `Created ${name}` : `Saved ${name}`);
            setEditing(undefined);
            list.reload();
          }}
        />
      ) : null}
      {strategyOf ? (
        <StrategyDialog
          group={strategyOf}
          busy={saveStrategy.busy}
          error={saveStrategy.error}
          onClose={() => {
            saveStrategy.clearError();
            setStrategyOf(undefined);
          }}
          onSave={(form) => void saveStrategy.run(form)}
        />
      ) : null}
      <ErrorBanner error={move.error} />
      {unsetting ? (
        <ConfirmDialog
          title="Remove the group's strategy"
          message={
            <p>
              Remove the strategy of <strong>{unsetting.name}</strong>? Its features stop serving the group's
              values until it has a strategy again; the members stay.
            </p>
          }
          confirmLabel="Remove strategy"
          onClose={() => setUnsetting(undefined)}
          onConfirm={async () => {
            const current = await api.featureGroup(appId, unsetting.id);
            await api.updateFeatureGroup(appId, { id: current.id, version: current.version, strategies: [] });
            toast(`Removed the strategy of ${unsetting.name}`);
            list.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete feature group"
          message={
            <p>
              Delete <strong>{deleting.name}</strong>? Its features keep their own values and strategies; they
              stop serving the group's values.
            </p>
          }
          confirmLabel="Delete group"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deleteFeatureGroup(appId, deleting.id);
            toast(`Deleted ${deleting.name}`);
            list.reload();
          }}
        />
      ) : null}
    </>
  );
}

/** The group's one strategy, edited with the strategy editor (without a value: each member has its own). */
function StrategyDialog({
  group,
  busy,
  error,
  onClose,
  onSave,
}: {
  group: FeatureGroup;
  busy: boolean;
  error: string | undefined;
  onClose: () => void;
  onSave: (form: StrategyForm) => void;
}) {
  const first = group.strategies?.[0];
  return (
    <StrategyEditor
      title={`Strategy of ${group.name}`}
      initial={first ? strategyToForm(first) : { ...emptyStrategy(), name: group.name }}
      withValue={false}
      busy={busy}
      serverError={error}
      onClose={onClose}
      onDone={(form) => onSave(form)}
    />
  );
}

/** Name, description and members with their values; new groups start without a strategy. */
function GroupDialog({
  appId,
  environmentId,
  group,
  onClose,
  onSaved,
}: {
  appId: string;
  environmentId: string;
  group: FeatureGroupListGroup | undefined;
  onClose: () => void;
  onSaved: (name: string, created: boolean) => void;
}) {
  const { api } = useSession();
  const candidates = useLoad(() => api.featureGroupCandidates(appId, environmentId), [appId, environmentId]);
  const current = useLoad(
    () => (group ? api.featureGroup(appId, group.id) : Promise.resolve(undefined)),
    [appId, group?.id],
  );
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const [drafts, setDrafts] = useState<Record<string, MemberDraft>>({});

  // Start from the group's members once it has loaded.
  useEffect(() => {
    const members = current.data?.features ?? [];
    setDrafts(
      Object.fromEntries(members.map((m) => [m.id, { member: true, text: memberText(m.type, m.value) }])),
    );
  }, [current.data]);

  const features: FeatureGroupFeature[] = candidates.data ?? [];
  const draftOf = (f: FeatureGroupFeature): MemberDraft =>
    drafts[f.id] ?? { member: false, text: memberText(f.type, undefined) };
  const setDraft = (id: string, patch: Partial<MemberDraft>, f: FeatureGroupFeature) =>
    setDrafts((d) => ({ ...d, [id]: { ...draftOf(f), ...d[id], ...patch } }));
  const nameProblem = name.trim() === '' ? 'A group needs a name' : undefined;
  const problems = features.map((f) =>
    draftOf(f).member ? memberProblem(f.type, draftOf(f).text) : undefined,
  );

  const save = useAction(async () => {
    const members = features
      .filter((f) => draftOf(f).member)
      .map((f) => ({ id: f.id, value: memberWireValue(f.type, draftOf(f).text) }));
    if (group && current.data) {
      await api.updateFeatureGroup(appId, {
        id: group.id,
        version: current.data.version,
        name: name.trim(),
        description,
        features: members,
      });
    } else {
      await api.createFeatureGroup(appId, {
        name: name.trim(),
        description,
        environmentId,
        features: members,
      });
    }
    onSaved(name.trim(), !group);
  });

  return (
    <FormDialog
      title={group ? `Edit ${group.name}` : 'Create feature group'}
      onClose={onClose}
      action={save}
      invalid={nameProblem !== undefined || problems.some((p) => p !== undefined)}
      submitLabel={group ? 'Save group' : 'Create group'}
      submitTestId="feature-group-save"
      submitDisabled={candidates.loading || (group !== undefined && current.loading)}
      size="lg"
      testId="feature-group-dialog"
    >
      {(tried) => (
        <>
          <TextField
            label="Name"
            value={name}
            onChange={setName}
            error={tried ? nameProblem : undefined}
            testId="feature-group-name"
            autoFocus
            required
          />
          <TextField
            label="Description"
            value={description}
            onChange={setDescription}
            testId="feature-group-description"
          />
          <fieldset className="stack" data-testid="feature-group-member-list">
            <legend>Features and the value each serves when the group's strategy matches</legend>
            {features.length === 0 ? <Notice>This application has no features yet.</Notice> : null}
            {features.map((f, i) => {
              const d = draftOf(f);
              return (
                <div key={f.id} className="member-row" data-testid="feature-group-member" data-key={f.key}>
                  <Checkbox
                    label={
                      <>
                        <code>{f.key}</code>{' '}
                        {f.name !== f.key ? <span className="muted">{f.name}</span> : null}{' '}
                        {f.locked ? (
                          <Badge tone="warn">
                            <Icon name="lock" /> locked
                          </Badge>
                        ) : null}
                      </>
                    }
                    checked={d.member}
                    disabled={f.locked === true}
                    onChange={(member) => setDraft(f.id, { member }, f)}
                    testId={`feature-group-member-${f.key}`}
                  />
                  {d.member ? (
                    f.type === 'BOOLEAN' ? (
                      <SelectField
                        label={`Value of ${f.key}`}
                        value={d.text === 'true' ? 'true' : 'false'}
                        onChange={(text) => setDraft(f.id, { text }, f)}
                        options={[
                          { value: 'true', label: 'on (true)' },
                          { value: 'false', label: 'off (false)' },
                        ]}
                        disabled={f.locked === true}
                        testId={`feature-group-value-${f.key}`}
                      />
                    ) : (
                      <TextField
                        label={`Value of ${f.key}`}
                        value={d.text}
                        onChange={(text) => setDraft(f.id, { text }, f)}
                        error={tried ? problems[i] : undefined}
                        disabled={f.locked === true}
                        multiline={f.type === 'JSON'}
                        mono={f.type === 'JSON'}
                        inputMode={f.type === 'NUMBER' ? 'decimal' : 'text'}
                        testId={`feature-group-value-${f.key}`}
                      />
                    )
                  ) : null}
                  {d.member && group && current.data ? (
                    <span className="muted small">
                      now{' '}
                      {displayValue(f.type, current.data.features.find((m) => m.id === f.id)?.value ?? null)}
                    </span>
                  ) : null}
                </div>
              );
            })}
          </fieldset>
          {current.data && (current.data.strategies?.length ?? 0) > 0 ? (
            <p className="muted small">
              Strategy: {strategySummary(strategyToForm(current.data.strategies![0]!))}
            </p>
          ) : null}
        </>
      )}
    </FormDialog>
  );
}
