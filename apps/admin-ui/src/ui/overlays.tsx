import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { Button, IconButton } from './buttons.tsx';
import { ErrorBanner } from './feedback.tsx';
import { type Action, useAction } from './hooks.ts';

type ModalSize = 'sm' | 'md' | 'lg' | 'panel';

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
  size?: ModalSize;
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
    if (d && !d.open) {
      d.showModal();
      // showModal() focuses the first focusable element (the Close button); the field marked autoFocus wants it.
      d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
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

/**
 * A dialog holding a form: its fields, Cancel and a submit button that shows progress, and the server's
 * error under the fields. Enter submits and Escape closes, as in every `Modal`. Submitting while
 * `invalid` runs nothing; it only sets `tried`, which a render-function child receives so that field
 * problems show from the first attempt on rather than while the user is still typing.
 */
export function FormDialog({
  title,
  onClose,
  action,
  invalid = false,
  submitLabel,
  submitTestId,
  submitDisabled,
  readOnly = false,
  size,
  testId,
  children,
}: {
  title: ReactNode;
  onClose: () => void;
  /** The save, from `useAction`: submitting runs it, its busy flag and error are shown. */
  action: Pick<Action<[]>, 'run' | 'busy' | 'error'>;
  /** True while some field has a problem. */
  invalid?: boolean;
  submitLabel: ReactNode;
  submitTestId?: string;
  /** Disables the submit button (e.g. while what the form edits is still loading). */
  submitDisabled?: boolean;
  /** Only looking: the footer offers Close, and Enter closes too. */
  readOnly?: boolean;
  size?: ModalSize;
  testId?: string;
  children: ReactNode | ((tried: boolean) => ReactNode);
}) {
  const [tried, setTried] = useState(false);
  const submit = () => {
    setTried(true);
    if (!invalid) void action.run();
  };
  return (
    <Modal
      title={title}
      onClose={onClose}
      onSubmit={readOnly ? onClose : submit}
      size={size}
      testId={testId}
      footer={
        readOnly ? (
          <Button onClick={onClose}>Close</Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button
              type="submit"
              variant="primary"
              busy={action.busy}
              disabled={submitDisabled}
              data-testid={submitTestId}
            >
              {submitLabel}
            </Button>
          </>
        )
      }
    >
      <div className="stack">
        {typeof children === 'function' ? children(tried) : children}
        <ErrorBanner error={action.error} />
      </div>
    </Modal>
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
