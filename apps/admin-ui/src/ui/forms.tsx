import { type ReactNode, useId } from 'react';
import { CopyButton } from './buttons.tsx';

interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: (id: string, describedBy: string | undefined) => ReactNode;
  className?: string;
}

/** Label, control, hint and error wired together by ids so screen readers announce them. */
export function Field({ label, hint, error, children, className }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy)}
      {hint ? (
        <div className="field-hint" id={hintId}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="field-error" id={errId}>
          {error}
        </div>
      ) : null}
    </div>
  );
}

export function TextField({
  label,
  value,
  onChange,
  error,
  hint,
  type = 'text',
  testId,
  required,
  autoFocus,
  placeholder,
  multiline,
  rows = 4,
  autoComplete,
  disabled,
  className,
  inputMode,
  mono,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  type?: string;
  testId?: string;
  required?: boolean;
  autoFocus?: boolean;
  placeholder?: string;
  multiline?: boolean;
  rows?: number;
  autoComplete?: string;
  disabled?: boolean;
  className?: string;
  inputMode?: 'text' | 'decimal' | 'numeric' | 'email';
  mono?: boolean;
}) {
  return (
    <Field label={label} hint={hint} error={error} {...(className ? { className } : {})}>
      {(id, describedBy) =>
        multiline ? (
          <textarea
            id={id}
            className={mono ? 'mono' : undefined}
            value={value}
            rows={rows}
            onChange={(e) => onChange(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={error ? true : undefined}
            data-testid={testId}
            required={required}
            // biome-ignore lint/a11y/noAutofocus: dialogs focus their first field on purpose
            autoFocus={autoFocus}
            // A <dialog> opened after React's autoFocus would move focus to its first button; Modal reads this.
            data-autofocus={autoFocus ? '' : undefined}
            placeholder={placeholder}
            disabled={disabled}
            spellCheck={mono ? false : undefined}
          />
        ) : (
          <input
            id={id}
            type={type}
            className={mono ? 'mono' : undefined}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={error ? true : undefined}
            data-testid={testId}
            required={required}
            // biome-ignore lint/a11y/noAutofocus: dialogs focus their first field on purpose
            autoFocus={autoFocus}
            // A <dialog> opened after React's autoFocus would move focus to its first button; Modal reads this.
            data-autofocus={autoFocus ? '' : undefined}
            placeholder={placeholder}
            autoComplete={autoComplete}
            disabled={disabled}
            inputMode={inputMode}
          />
        )
      }
    </Field>
  );
}

export function SelectField<T extends string>({
  label,
  value,
  onChange,
  options,
  testId,
  hint,
  error,
  disabled,
  className,
}: {
  label: string;
  value: T;
  onChange: (v: T) => void;
  options: ReadonlyArray<{ value: T; label: string }>;
  testId?: string;
  hint?: ReactNode;
  error?: string | undefined;
  disabled?: boolean;
  className?: string;
}) {
  return (
    <Field label={label} hint={hint} error={error} {...(className ? { className } : {})}>
      {(id, describedBy) => (
        <select
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value as T)}
          aria-describedby={describedBy}
          data-testid={testId}
          disabled={disabled}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function Checkbox({
  label,
  checked,
  onChange,
  testId,
  disabled,
  hint,
}: {
  label: ReactNode;
  checked: boolean;
  onChange: (v: boolean) => void;
  testId?: string;
  disabled?: boolean;
  hint?: ReactNode;
}) {
  return (
    <label className={`check${disabled ? ' check-disabled' : ''}`}>
      <input
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        data-testid={testId}
        disabled={disabled}
      />
      <span>
        {label}
        {hint ? <span className="check-hint">{hint}</span> : null}
      </span>
    </label>
  );
}

/** An on/off switch: a checkbox with role="switch" so it is announced as one. */
export function Switch({
  label,
  checked,
  onChange,
  testId,
  disabled,
}: {
  label: ReactNode;
  checked: boolean;
  onChange: (v: boolean) => void;
  testId?: string;
  disabled?: boolean;
}) {
  return (
    <label className={`switch${disabled ? ' check-disabled' : ''}`}>
      <input
        type="checkbox"
        role="switch"
        checked={checked}
        aria-checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        data-testid={testId}
        disabled={disabled}
      />
      <span className="switch-track" aria-hidden="true">
        <span className="switch-thumb" />
      </span>
      <span>{label}</span>
    </label>
  );
}

/** A read-only value (URL, API key, token) with a copy button. */
export function CopyField({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Field label={label}>
      {(id) => (
        <div className="copy-field">
          <input
            id={id}
            readOnly
            value={value}
            className="mono"
            data-testid={testId}
            onFocus={(e) => e.target.select()}
          />
          <CopyButton value={value} {...(testId ? { testId: `${testId}-copy` } : {})} />
        </div>
      )}
    </Field>
  );
}

/**
 * A new password and its confirmation, as every password form asks for them (setup, registration,
 * temporary-password replacement, change password).
 */
export function NewPasswordFields({
  password,
  confirm,
  onPassword,
  onConfirm,
  errors,
  testIds,
  labels = ['Password', 'Confirm password'],
  hint,
  autoFocus,
  required = true,
}: {
  password: string;
  confirm: string;
  onPassword: (v: string) => void;
  onConfirm: (v: string) => void;
  errors: { password?: string | undefined; confirm?: string | undefined };
  testIds: readonly [string, string];
  labels?: readonly [string, string];
  hint?: ReactNode;
  autoFocus?: boolean;
  required?: boolean;
}) {
  return (
    <>
      <TextField
        label={labels[0]}
        type="password"
        value={password}
        onChange={onPassword}
        error={errors.password}
        {...(hint === undefined ? {} : { hint })}
        testId={testIds[0]}
        autoComplete="new-password"
        {...(autoFocus ? { autoFocus: true } : {})}
        required={required}
      />
      <TextField
        label={labels[1]}
        type="password"
        value={confirm}
        onChange={onConfirm}
        error={errors.confirm}
        testId={testIds[1]}
        autoComplete="new-password"
        required={required}
      />
    </>
  );
}

/**
 * The name (focused first) and description that portfolios, applications, environments and service
 * accounts are created and edited with.
 */
export function NameDescriptionFields({
  name,
  description,
  onName,
  onDescription,
  nameError,
  testIds,
  rows = 2,
  required,
}: {
  name: string;
  description: string;
  onName: (v: string) => void;
  onDescription: (v: string) => void;
  nameError: string | undefined;
  testIds: readonly [string, string];
  rows?: number;
  required?: boolean;
}) {
  return (
    <>
      <TextField
        label="Name"
        value={name}
        onChange={onName}
        error={nameError}
        testId={testIds[0]}
        autoFocus
        required={required}
      />
      <TextField
        label="Description"
        value={description}
        onChange={onDescription}
        multiline
        rows={rows}
        testId={testIds[1]}
      />
    </>
  );
}
