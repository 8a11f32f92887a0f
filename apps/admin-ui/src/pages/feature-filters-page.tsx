import { useState } from 'react';
import type { FeatureFilter, SearchFeatureFilterItem } from '../api/types.ts';
import { nameProblem } from '../lib/validation.ts';
import { Button, IconButton } from '../ui/buttons.tsx';
import { Empty, LoadGate, useToast } from '../ui/feedback.tsx';
import { NameDescriptionFields } from '../ui/forms.tsx';
import { useAction, useLoad } from '../ui/hooks.ts';
import { ConfirmDialog, FormDialog } from '../ui/overlays.tsx';
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
  const [name, setName] = useState(filter?.name ?? '');
  const [description, setDescription] = useState(filter?.description ?? '');
  const problem = nameProblem(name, 'feature filter', 60);
  const action = useAction(async () => {
    const pid = portfolio?.id ?? '';
    const saved = filter
      ? await api.updateFeatureFilter(pid, { ...filter, name: name.trim(), description: description.trim() })
      : await api.createFeatureFilter(pid, name.trim(), description.trim());
    onSaved(saved);
  });
  return (
    <FormDialog
      title={filter ? 'Edit feature filter' : 'Create feature filter'}
      onClose={onClose}
      action={action}
      invalid={Boolean(problem)}
      submitLabel={filter ? 'Save' : 'Create'}
      submitTestId="feature-filter-save"
      testId="feature-filter-dialog"
    >
      {(tried) => (
        <NameDescriptionFields
          name={name}
          description={description}
          onName={setName}
          onDescription={setDescription}
          nameError={tried ? problem : undefined}
          testIds={['feature-filter-name', 'feature-filter-description']}
        />
      )}
    </FormDialog>
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
            <div className="table-wrap">
              <table className="data-table" data-testid="feature-filter-list">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Description</th>
                    <th scope="col">Used by</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {(result.filters ?? []).map((f) => (
                    <tr key={f.id} data-testid="feature-filter-row">
                      <td>{f.name}</td>
                      <td className="muted">{f.description}</td>
                      <td className="muted small" data-testid="feature-filter-uses">
                        {uses(f)}
                      </td>
                      <td className="actions-cell">
                        <IconButton
                          icon="edit"
                          label={`Edit ${f.name}`}
                          onClick={() => setDialog(f)}
                          data-testid="feature-filter-edit"
                        />
                        <IconButton
                          icon="trash"
                          label={`Delete ${f.name}`}
                          onClick={() => setDeleting(f)}
                          data-testid="feature-filter-delete"
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
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
