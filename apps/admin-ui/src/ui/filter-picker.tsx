import type { SearchFeatureFilterItem } from '../api/types.ts';
import { Checkbox } from './forms.tsx';
import { useLoad } from './hooks.ts';
import { useSession } from './session.tsx';

/** The current portfolio's feature filters (API 1.2.6), for the pickers of features and service accounts. */
export function usePortfolioFilters(): SearchFeatureFilterItem[] | undefined {
  const { api, portfolio } = useSession();
  const filters = useLoad(
    () => (portfolio?.id ? api.featureFilters(portfolio.id) : Promise.resolve({ max: 0, filters: [] })),
    [portfolio?.id],
  );
  return filters.data?.filters;
}

/** Checkboxes of the portfolio's feature filters; `value` holds the chosen ids. */
export function FilterPicker({
  value,
  onChange,
  hint,
  disabled,
  testId,
}: {
  value: string[];
  onChange: (ids: string[]) => void;
  hint: string;
  disabled?: boolean;
  testId: string;
}) {
  const filters = usePortfolioFilters();
  return (
    <fieldset className="field">
      <legend>Feature filters</legend>
      <div className="row row-wrap" data-testid={testId}>
        {filters === undefined ? (
          <span className="muted small">Loading…</span>
        ) : filters.length === 0 ? (
          <span className="muted small">This portfolio has no feature filters yet.</span>
        ) : (
          filters.map((f) => (
            <Checkbox
              key={f.id}
              label={f.name}
              checked={value.includes(f.id)}
              disabled={disabled}
              testId={`${testId}-${f.name}`}
              onChange={(on) => onChange(on ? [...value, f.id] : value.filter((id) => id !== f.id))}
            />
          ))
        )}
      </div>
      <div className="field-hint">{hint}</div>
    </fieldset>
  );
}

/** The names of the chosen filters, or what having none means. */
export function FilterNames({ ids, none, testId }: { ids: readonly string[]; none: string; testId: string }) {
  const filters = usePortfolioFilters();
  const names = (filters ?? []).filter((f) => ids.includes(f.id)).map((f) => f.name);
  return (
    <p className="muted small" data-testid={testId}>
      {ids.length === 0 ? none : `Feature filters: ${names.join(', ')}`}
    </p>
  );
}
