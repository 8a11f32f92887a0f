import { useState } from 'react';
import type { FeatureFilter, SearchFeatureFilterItem } from '../api/types.ts';
import { Button } from '../ui/buttons.tsx';
import { DataTable, EditDeleteButtons } from '../ui/data-table.tsx';
import { Empty, LoadGate, useToast } from '../ui/feedback.tsx';
import { useLoad } from '../ui/hooks.ts';
import { NameDescriptionDialog } from '../ui/name-description-dialog.tsx';
import { ConfirmDialog } from '../ui/overlays.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useSession } from '../ui/session.tsx';

// Feature filters of the current portfolio (upstream API 1.2.6): tags put on features and service accounts; an
// API key whose service account has filters is sent only the features that share one.

function FilterDialog({
  filter,
  onClose,
  onSaved,
}: {
  filter?: FeatureFilter;
  onClose: () => void;
  onSaved: (f: FeatureFilter) => void;
}) {
  const { api, portfolio } = useSession();
  const pid = portfolio?.id ?? '';
  return (
    <NameDescriptionDialog
      noun="feature filter"
      testId="feature-filter"
      editing={filter}
      maxLength={60}
      save={(name, description) =>
        filter
          ? api.updateFeatureFilter(pid, { ...filter, name, description })
          : api.createFeatureFilter(pid, name, description)
      }
      onClose={onClose}
      onSaved={onSaved}
    />
  );
}

function uses(f: SearchFeatureFilterItem): string {
  const features = (f.applications ?? []).reduce((n, a) => n + (a.features?.length ?? 0), 0);
  const accounts = f.serviceAccounts?.length ?? 0;
  return `${features} feature${features === 1 ? '' : 's'}, ${accounts} service account${accounts === 1 ? '' : 's'}`;
}

export function FeatureFiltersPage() {
  const { api, portfolio } = useSession();
  const toast = useToast();
  const list = useLoad(
    () => (portfolio?.id ? api.featureFilters(portfolio.id, true) : Promise.resolve({ max: 0, filters: [] })),
    [portfolio?.id],
  );
  const [dialog, setDialog] = useState<FeatureFilter | 'new' | undefined>(undefined);
  const [deleting, setDeleting] = useState<FeatureFilter | undefined>(undefined);
  return (
    <>
      <PageHeader
        title="Feature filters"
        subtitle="Tag features and service accounts: an API key whose service account has filters gets only the features sharing one"
        actions={
          <Button
            variant="primary"
            icon="plus"
            onClick={() => setDialog('new')}
            data-testid="create-feature-filter"
          >
            Create feature filter
          </Button>
        }
      />
      <LoadGate loaded={list}>
        {(result) =>
          (result.filters ?? []).length === 0 ? (
            <Empty title="No feature filters yet" />
          ) : (
            <DataTable columns={['Name', 'Description', 'Used by']} testId="feature-filter-list">
              {(result.filters ?? []).map((f) => (
                <tr key={f.id} data-testid="feature-filter-row">
                  <td>{f.name}</td>
                  <td className="muted">{f.description}</td>
                  <td className="muted small" data-testid="feature-filter-uses">
                    {uses(f)}
                  </td>
                  <td className="actions-cell">
                    <EditDeleteButtons
                      name={f.name}
                      testId="feature-filter"
                      onEdit={() => setDialog(f)}
                      onDelete={() => setDeleting(f)}
                    />
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </LoadGate>
      {dialog ? (
        <FilterDialog
          {...(dialog === 'new' ? {} : { filter: dialog })}
          onClose={() => setDialog(undefined)}
          onSaved={(f) => {
            toast(dialog === 'new' ? `Created ${f.name}` : `Saved ${f.name}`);
            setDialog(undefined);
            list.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete feature filter"
          message={
            <p>
              Delete <strong>{deleting.name}</strong>? It is taken off every feature and service account;
              service accounts left without filters then get every feature.
            </p>
          }
          confirmLabel="Delete feature filter"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deleteFeatureFilter(portfolio?.id ?? '', deleting);
            toast(`Deleted ${deleting.name}`);
            list.reload();
          }}
        />
      ) : null}
    </>
  );
}
