import { createContext, type ReactNode, useCallback, useContext, useRef, useState } from 'react';
import { Button } from './buttons.tsx';
import { Icon } from './icons.tsx';

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label} />;
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
