import {
  type ButtonHTMLAttributes,
  createContext,
  type FormEvent,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { useAction } from './hooks.ts';
import { Icon, type IconName } from './icons.tsx';

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost';

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label} />;
}

export function Button({
  variant = 'secondary',
  busy = false,
  icon,
  children,
  disabled,
  className,
  type = 'button',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; busy?: boolean; icon?: IconName }) {
  return (
    <button
      type={type}
      className={`btn btn-${variant}${className ? ` ${className}` : ''}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy ? <span className="spinner spinner-sm" aria-hidden="true" /> : icon ? <Icon name={icon} /> : null}
      {children}
    </button>
  );
}

/** A button showing only an icon; `label` is its accessible name and tooltip. */
export function IconButton({
  icon,
  label,
  variant = 'ghost',
  busy,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  icon: IconName;
  label: string;
  variant?: Variant;
  busy?: boolean;
}) {
  return (
    <Button
      variant={variant}
      className="btn-icon"
      aria-label={label}
      title={label}
      busy={busy ?? false}
      icon={icon}
      {...rest}
    />
  );
}

export function ErrorBanner({ error, testId }: { error: string | undefined; testId?: string }) {
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid={testId ?? 'error'}>
      <Icon name="alert" />
      <span>{error}</span>
    </div>
  );
}

export function Notice({
  children,
  tone = 'info',
}: {
  children: ReactNode;
  tone?: 'info' | 'warn' | 'success';
}) {
  return <div className={`banner banner-${tone}`}>{children}</div>;
}

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

export function Badge({
  children,
  tone = 'neutral',
  title,
  testId,
}: {
  children: ReactNode;
  tone?: 'neutral' | 'on' | 'off' | 'warn' | 'info' | 'danger' | 'accent';
  title?: string;
  testId?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} title={title} data-testid={testId}>
      {children}
    </span>
  );
}

/** A modal dialog on the native <dialog>: focus is trapped, Escape closes, the page behind is inert. */
export function Modal({
  title,
  onClose,
  children,
  footer,
  size = 'md',
  testId,
  onSubmit,
}: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'sm' | 'md' | 'lg' | 'panel';
  testId?: string;
  /** When given, the body is a form and Enter submits it. */
  onSubmit?: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    // Give focus back to whatever opened the dialog (a console cell, a row button) when it goes away.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => {
      d?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit?.();
  };
  const body = (
    <>
      <header className="modal-header">
        <h2 id={titleId}>{title}</h2>
        <IconButton icon="x" label="Close" onClick={onClose} data-testid="modal-close" />
      </header>
      <div className="modal-body">{children}</div>
      {footer ? <footer className="modal-footer">{footer}</footer> : null}
    </>
  );
  return (
    <dialog
      ref={ref}
      className={`modal modal-${size}`}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {onSubmit ? (
        <form onSubmit={submit} noValidate className="modal-form">
          {body}
        </form>
      ) : (
        body
      )}
    </dialog>
  );
}

/** Asks before doing something that cannot be undone; shows progress and the server's error. */
export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  danger = true,
  onConfirm,
  onClose,
  children,
}: {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  children?: ReactNode;
}) {
  const action = useAction(onConfirm);
  return (
    <Modal
      title={title}
      size="sm"
      onClose={onClose}
      testId="confirm-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant={danger ? 'danger' : 'primary'}
            busy={action.busy}
            data-testid="confirm-button"
            onClick={async () => {
              if (await action.run()) onClose();
            }}
          >
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="confirm-message">{message}</div>
      {children}
      <ErrorBanner error={action.error} />
    </Modal>
  );
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API needs a secure context; plain-HTTP installs fall back to a selected textarea.
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

export function CopyButton({
  value,
  label = 'Copy',
  testId,
}: {
  value: string;
  label?: string;
  testId?: string;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <Button
      variant="secondary"
      className="btn-sm"
      icon={state === 'copied' ? 'check' : 'copy'}
      data-testid={testId}
      onClick={async () => setState((await copyText(value)) ? 'copied' : 'failed')}
      aria-live="polite"
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : label}
    </Button>
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

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="page-subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" data-testid="loading">
      <Spinner label={label} /> <span>{label}</span>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

/** What a load shows while it is pending or failed; renders children once data is there. */
export function LoadGate<T>({
  loaded,
  children,
}: {
  loaded: { data: T | undefined; error: string | undefined; loading: boolean; reload: () => void };
  children: (data: T) => ReactNode;
}) {
  if (loaded.data === undefined) {
    if (loaded.error) {
      return (
        <div className="stack">
          <ErrorBanner error={loaded.error} testId="load-error" />
          <div>
            <Button icon="refresh" onClick={loaded.reload}>
              Try again
            </Button>
          </div>
        </div>
      );
    }
    return <Loading />;
  }
  return (
    <>
      {loaded.error ? <ErrorBanner error={loaded.error} testId="load-error" /> : null}
      {children(loaded.data)}
    </>
  );
}

// --- toasts: short confirmations that something was saved -----------------------------------------

interface Toast {
  id: number;
  text: string;
}

const ToastContext = createContext<(text: string) => void>(() => {});

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(0);
  const show = useCallback((text: string) => {
    const id = ++next.current;
    setToasts((t) => [...t, { id, text }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 3500);
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="toasts" aria-live="polite" data-testid="toasts">
        {toasts.map((t) => (
          <div key={t.id} className="toast">
            <Icon name="check" />
            {t.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): (text: string) => void {
  return useContext(ToastContext);
}

/** Tabs with arrow-key movement, as the WAI-ARIA tabs pattern describes. */
export function Tabs<T extends string>({
  tabs,
  value,
  onChange,
  label,
}: {
  tabs: ReadonlyArray<{ value: T; label: string }>;
  value: T;
  onChange: (v: T) => void;
  label: string;
}) {
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t, i) => (
        <button
          key={t.value}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          aria-selected={t.value === value}
          tabIndex={t.value === value ? 0 : -1}
          className={t.value === value ? 'tab tab-active' : 'tab'}
          data-testid={`tab-${t.value}`}
          onClick={() => onChange(t.value)}
          onKeyDown={(e) => {
            const dir = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
            if (dir === 0) return;
            e.preventDefault();
            const n = (i + dir + tabs.length) % tabs.length;
            const target = tabs[n];
            if (target) onChange(target.value);
            refs.current[n]?.focus();
          }}
        >
          {t.label}
        </button>
      ))}
    </div>
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
