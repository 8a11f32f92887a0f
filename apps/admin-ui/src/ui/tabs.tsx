import { useRef } from 'react';

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
