import { useId, useState } from 'react';
import type {
  FeatureValueType,
  RolloutStrategyAttributeConditional,
  RolloutStrategyFieldType,
} from '../../api/types.ts';
import {
  CONDITIONAL_LABELS,
  CONDITIONALS_BY_TYPE,
  ENUM_CONDITIONALS,
  FIELD_TYPE_LABELS,
  hasProblems,
  newRule,
  RULE_KIND_LABELS,
  type RuleForm,
  type RuleKind,
  type StrategyForm,
  validateStrategy,
} from '../../lib/strategy-form.ts';
import { COUNTRIES, DEVICES, PLATFORMS, wellKnownLabel } from '../../lib/well-known.ts';
import { Button, IconButton } from '../../ui/buttons.tsx';
import { ErrorBanner } from '../../ui/feedback.tsx';
import { SelectField, Switch, TextField } from '../../ui/forms.tsx';
import { Modal } from '../../ui/overlays.tsx';
import { TypedValueInput } from './typed-value.tsx';

const RULE_KINDS: RuleKind[] = ['country', 'device', 'platform', 'userkey', 'version', 'custom'];

/** Free values typed one at a time and shown as removable chips; Enter or comma adds. */
function ValueChips({
  values,
  onChange,
  label,
  placeholder,
  suggestions,
  testId,
}: {
  values: string[];
  onChange: (v: string[]) => void;
  label: string;
  placeholder?: string;
  suggestions?: readonly string[];
  testId?: string;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const listId = suggestions ? `${id}-list` : undefined;
  const add = () => {
    const raw = text.trim();
    if (raw === '') return;
    // A picked suggestion arrives as its label; store the wire value.
    const fromLabel = suggestions?.find(
      (s) => wellKnownLabel(s).toLowerCase() === raw.toLowerCase() || s === raw,
    );
    const v = fromLabel ?? raw;
    if (!values.includes(v)) onChange([...values, v]);
    setText('');
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="chips-input">
        {values.map((v) => (
          <span key={v} className="chip">
            {suggestions ? wellKnownLabel(v) : v}
            <button
              type="button"
              aria-label={`Remove ${v}`}
              onClick={() => onChange(values.filter((x) => x !== v))}
            >
              ×
            </button>
          </span>
        ))}
        <input
          id={id}
          value={text}
          list={listId}
          placeholder={values.length === 0 ? placeholder : 'Add another'}
          data-testid={testId}
          onChange={(e) => {
            const v = e.target.value;
            if (v.endsWith(',')) {
              setText(v.slice(0, -1));
              return;
            }
            setText(v);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ',') {
              e.preventDefault();
              add();
            } else if (e.key === 'Backspace' && text === '' && values.length > 0) {
              onChange(values.slice(0, -1));
            }
          }}
          onBlur={add}
        />
        {suggestions ? (
          <datalist id={listId}>
            {suggestions
              .filter((s) => !values.includes(s))
              .map((s) => (
                <option key={s} value={wellKnownLabel(s)} />
              ))}
          </datalist>
        ) : null}
      </div>
      <div className="field-hint">Press Enter after each value. Any one of the values may match.</div>
    </div>
  );
}

function CheckboxGroup({
  options,
  values,
  onChange,
  label,
  testId,
}: {
  options: readonly string[];
  values: string[];
  onChange: (v: string[]) => void;
  label: string;
  testId?: string;
}) {
  return (
    <fieldset className="checkbox-group" data-testid={testId}>
      <legend className="field-label">{label}</legend>
      {options.map((o) => (
        <label key={o} className="check">
          <input
            type="checkbox"
            checked={values.includes(o)}
            onChange={(e) => onChange(e.target.checked ? [...values, o] : values.filter((v) => v !== o))}
          />
          <span>{wellKnownLabel(o)}</span>
        </label>
      ))}
    </fieldset>
  );
}

function conditionalOptions(rule: RuleForm) {
  const list: RolloutStrategyAttributeConditional[] =
    rule.kind === 'country' || rule.kind === 'device' || rule.kind === 'platform'
      ? ENUM_CONDITIONALS
      : CONDITIONALS_BY_TYPE[rule.type];
  return list.map((c) => ({
    value: c,
    label:
      (rule.kind === 'country' || rule.kind === 'device' || rule.kind === 'platform') && c === 'EQUALS'
        ? 'is one of'
        : (rule.kind === 'country' || rule.kind === 'device' || rule.kind === 'platform') &&
            c === 'NOT_EQUALS'
          ? 'is not one of'
          : CONDITIONAL_LABELS[c],
  }));
}

function RuleEditor({
  rule,
  index,
  onChange,
  onRemove,
  error,
}: {
  rule: RuleForm;
  index: number;
  onChange: (r: RuleForm) => void;
  onRemove: () => void;
  error: string | undefined;
}) {
  const set = (patch: Partial<RuleForm>) => onChange({ ...rule, ...patch });
  const testBase = `rule-${index}`;
  return (
    <div className={`rule${error ? ' rule-invalid' : ''}`} data-testid={testBase}>
      <div className="rule-head">
        <strong>{rule.kind === 'custom' ? 'Custom rule' : RULE_KIND_LABELS[rule.kind]}</strong>
        <IconButton icon="trash" label="Remove rule" onClick={onRemove} data-testid={`${testBase}-remove`} />
      </div>
      <div className="rule-grid">
        {rule.kind === 'custom' ? (
          <>
            <TextField
              label="Attribute name"
              value={rule.fieldName}
              onChange={(v) => set({ fieldName: v })}
              testId={`${testBase}-field`}
              placeholder="e.g. tier"
            />
            <SelectField<RolloutStrategyFieldType>
              label="Type"
              value={rule.type}
              onChange={(t) => {
                const conds = CONDITIONALS_BY_TYPE[t];
                set({ type: t, conditional: conds.includes(rule.conditional) ? rule.conditional : 'EQUALS' });
              }}
              options={(Object.keys(FIELD_TYPE_LABELS) as RolloutStrategyFieldType[]).map((t) => ({
                value: t,
                label: FIELD_TYPE_LABELS[t],
              }))}
              testId={`${testBase}-type`}
            />
          </>
        ) : null}
        <SelectField<RolloutStrategyAttributeConditional>
          label="Condition"
          value={rule.conditional}
          onChange={(c) => set({ conditional: c })}
          options={conditionalOptions(rule)}
          testId={`${testBase}-conditional`}
        />
      </div>
      {rule.kind === 'device' ? (
        <CheckboxGroup
          label="Devices"
          options={DEVICES}
          values={rule.values}
          onChange={(v) => set({ values: v })}
          testId={`${testBase}-values`}
        />
      ) : rule.kind === 'platform' ? (
        <CheckboxGroup
          label="Platforms"
          options={PLATFORMS}
          values={rule.values}
          onChange={(v) => set({ values: v })}
          testId={`${testBase}-values`}
        />
      ) : rule.kind === 'country' ? (
        <ValueChips
          label="Countries"
          values={rule.values}
          onChange={(v) => set({ values: v })}
          suggestions={COUNTRIES}
          placeholder="Type a country"
          testId={`${testBase}-values`}
        />
      ) : rule.type === 'BOOLEAN' ? (
        <SelectField<string>
          label="Value"
          value={rule.values[0] ?? 'true'}
          onChange={(v) => set({ values: [v] })}
          options={[
            { value: 'true', label: 'true' },
            { value: 'false', label: 'false' },
          ]}
          testId={`${testBase}-values`}
        />
      ) : (
        <ValueChips
          label={rule.kind === 'userkey' ? 'User keys' : rule.kind === 'version' ? 'Versions' : 'Values'}
          values={rule.values}
          onChange={(v) => set({ values: v })}
          placeholder={
            rule.type === 'SEMANTIC_VERSION'
              ? 'e.g. 1.2.0'
              : rule.type === 'DATE'
                ? 'YYYY-MM-DD'
                : rule.type === 'DATETIME'
                  ? 'e.g. 2025-01-31T09:00:00Z'
                  : rule.type === 'IP_ADDRESS'
                    ? 'e.g. 10.0.0.0/8'
                    : 'Type a value'
          }
          testId={`${testBase}-values`}
        />
      )}
      {error ? (
        <div className="field-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/**
 * Edits one strategy: name, percentage, rules and (for custom strategies of a feature value) the value it
 * serves. Application strategies use it without a value.
 */
export function StrategyEditor({
  initial,
  valueType,
  withValue,
  title,
  onClose,
  onDone,
  busy,
  serverError,
}: {
  initial: StrategyForm;
  valueType?: FeatureValueType;
  withValue: boolean;
  title: string;
  onClose: () => void;
  /** Called with a valid form; may be async (application strategies save straight away). */
  onDone: (form: StrategyForm) => void;
  busy?: boolean;
  serverError?: string | undefined;
}) {
  const [form, setForm] = useState<StrategyForm>(initial);
  const [tried, setTried] = useState(false);
  const problems = validateStrategy(form, { ...(valueType ? { valueType } : {}), requireValue: withValue });
  const set = (patch: Partial<StrategyForm>) => setForm((f) => ({ ...f, ...patch }));
  const submit = () => {
    setTried(true);
    if (!hasProblems(problems)) onDone(form);
  };
  return (
    <Modal
      title={title}
      size="lg"
      onClose={onClose}
      onSubmit={submit}
      testId="strategy-editor"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy ?? false} data-testid="strategy-done">
            {withValue ? 'Apply' : 'Save strategy'}
          </Button>
        </>
      }
    >
      <div className="stack">
        <div className="grid-2">
          <TextField
            label="Strategy name"
            value={form.name}
            onChange={(v) => set({ name: v })}
            error={tried ? problems.name : undefined}
            testId="strategy-name"
            autoFocus
            required
          />
          <TextField
            label="Percentage of users"
            value={form.percentage}
            onChange={(v) => set({ percentage: v })}
            error={tried || form.percentage !== '' ? problems.percentage : undefined}
            hint="0–100, up to four decimals. Leave empty to match on rules only."
            inputMode="decimal"
            testId="strategy-percentage"
            placeholder="e.g. 25"
          />
        </div>
        <details className="advanced">
          <summary>Percentage split by other attributes</summary>
          <TextField
            label="Attributes to hash instead of the user key"
            value={form.percentageAttributes}
            onChange={(v) => set({ percentageAttributes: v })}
            hint="Comma-separated attribute names, e.g. company. Leave empty to use the user key or session."
            testId="strategy-percentage-attributes"
          />
        </details>
        <section aria-label="Rules" className="stack-sm">
          <h3 className="section-title">
            Rules {form.rules.length > 1 ? <span className="muted small">(all must match)</span> : null}
          </h3>
          {form.rules.map((r, i) => (
            <RuleEditor
              // biome-ignore lint/suspicious/noArrayIndexKey: rules have no id until saved and keep their order
              key={i}
              index={i}
              rule={r}
              error={tried || r.values.length > 0 ? problems.rules[i] : undefined}
              onChange={(nr) => set({ rules: form.rules.map((x, j) => (j === i ? nr : x)) })}
              onRemove={() => set({ rules: form.rules.filter((_, j) => j !== i) })}
            />
          ))}
          <fieldset className="add-rule">
            <legend className="muted small add-rule-legend">Add rule:</legend>
            {RULE_KINDS.map((k) => (
              <Button
                key={k}
                className="btn-sm"
                icon="plus"
                onClick={() => set({ rules: [...form.rules, newRule(k)] })}
                data-testid={`add-rule-${k}`}
              >
                {RULE_KIND_LABELS[k]}
              </Button>
            ))}
          </fieldset>
        </section>
        {withValue && valueType ? (
          <section className="stack-sm">
            <TypedValueInput
              type={valueType}
              label="Serve this value when the strategy matches"
              value={form.value}
              onChange={(v) => set({ value: v })}
              testId="strategy-value"
            />
            {tried && problems.value ? <div className="field-error">{problems.value}</div> : null}
          </section>
        ) : null}
        <Switch
          label="Disabled (kept, but never matches)"
          checked={form.disabled}
          onChange={(v) => set({ disabled: v })}
          testId="strategy-disabled"
        />
        {tried && problems.general ? (
          <ErrorBanner error={problems.general} testId="strategy-problem" />
        ) : null}
        <ErrorBanner error={serverError} />
      </div>
    </Modal>
  );
}

/** One line describing what a strategy matches: "25% · Country is one of France, Spain · Version ≥ 2.0.0". */
export function strategySummary(form: StrategyForm): string {
  const parts: string[] = [];
  if (form.percentage.trim() !== '') parts.push(`${form.percentage.trim()}%`);
  for (const r of form.rules) {
    const enumKind = r.kind === 'country' || r.kind === 'device' || r.kind === 'platform';
    const name = r.kind === 'custom' ? r.fieldName || 'attribute' : RULE_KIND_LABELS[r.kind];
    const cond = enumKind
      ? r.conditional === 'NOT_EQUALS'
        ? 'is not one of'
        : 'is one of'
      : CONDITIONAL_LABELS[r.conditional];
    const vals = r.values.map((v) => (enumKind ? wellKnownLabel(v) : v));
    const shown = vals.length > 3 ? `${vals.slice(0, 3).join(', ')} +${vals.length - 3}` : vals.join(', ');
    parts.push(`${name} ${cond} ${shown}`);
  }
  return parts.length === 0 ? 'matches nobody yet' : parts.join(' · ');
}
