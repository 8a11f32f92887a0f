import { useState } from 'react';
import type { Feature, FeatureValueType } from '../../api/types.ts';
import { featureKeyProblem, suggestKey, VALUE_TYPE_LABELS } from '../../lib/feature-value.ts';
import { nameProblem } from '../../lib/validation.ts';
import { FilterPicker } from '../../ui/filter-picker.tsx';
import { SelectField, TextField } from '../../ui/forms.tsx';
import { useAction } from '../../ui/hooks.ts';
import { FormDialog } from '../../ui/overlays.tsx';
import { useApi } from '../../ui/session.tsx';

const TYPES: FeatureValueType[] = ['BOOLEAN', 'STRING', 'NUMBER', 'JSON'];

/** Create a feature, or edit its name, key, description, link and metadata. */
export function FeatureDialog({
  appId,
  feature,
  onClose,
  onSaved,
  readOnly,
}: {
  appId: string;
  feature?: Feature;
  onClose: () => void;
  onSaved: (key: string) => void;
  readOnly?: boolean;
}) {
  const api = useApi();
  const [name, setName] = useState(feature?.name ?? '');
  const [key, setKey] = useState(feature?.key ?? '');
  const [keyTouched, setKeyTouched] = useState(feature !== undefined);
  const [type, setType] = useState<FeatureValueType>(feature?.valueType ?? 'BOOLEAN');
  const [description, setDescription] = useState(feature?.description ?? '');
  const [link, setLink] = useState(feature?.link ?? '');
  const [metaData, setMetaData] = useState(feature?.metaData ?? '');
  const [filters, setFilters] = useState<string[]>(feature?.featureFilter ?? []);
  const problems = {
    name: nameProblem(name, 'feature', 255),
    key: featureKeyProblem(key),
    description: description.length > 300 ? 'The description can be 300 characters at most.' : undefined,
    link: link.length > 600 ? 'The link can be 600 characters at most.' : undefined,
  };
  const action = useAction(async () => {
    const common = {
      name: name.trim(),
      key: key.trim(),
      description: description.trim(),
      link: link.trim(),
      metaData,
      featureFilter: filters,
    };
    if (feature) await api.updateFeature(appId, { ...feature, ...common });
    else await api.createFeature(appId, { ...common, valueType: type });
    onSaved(common.key);
  });
  return (
    <FormDialog
      title={readOnly ? 'Feature details' : feature ? 'Edit feature' : 'Create feature'}
      onClose={onClose}
      action={action}
      invalid={Object.values(problems).some(Boolean)}
      submitLabel={feature ? 'Save' : 'Create feature'}
      submitTestId="feature-save"
      readOnly={readOnly}
      size="lg"
      testId="feature-dialog"
    >
      {(tried) => (
        <>
          <div className="grid-2">
            <TextField
              label="Name"
              value={name}
              onChange={(v) => {
                setName(v);
                if (!keyTouched) setKey(suggestKey(v));
              }}
              error={tried ? problems.name : undefined}
              testId="feature-name"
              autoFocus
              required
              disabled={readOnly}
            />
            <TextField
              label="Key"
              value={key}
              onChange={(v) => {
                setKey(v);
                setKeyTouched(true);
              }}
              error={tried || key !== '' ? problems.key : undefined}
              hint="What SDKs ask for. No spaces."
              testId="feature-key"
              required
              mono
              disabled={readOnly}
            />
          </div>
          <SelectField<FeatureValueType>
            label="Type"
            value={type}
            onChange={setType}
            options={TYPES.map((t) => ({ value: t, label: VALUE_TYPE_LABELS[t] }))}
            testId="feature-type"
            disabled={feature !== undefined || readOnly}
            hint={feature ? 'The type is fixed once the feature exists.' : undefined}
          />
          <TextField
            label="Description"
            value={description}
            onChange={setDescription}
            error={problems.description}
            multiline
            rows={2}
            testId="feature-description"
            disabled={readOnly}
          />
          <TextField
            label="Reference link"
            value={link}
            onChange={setLink}
            error={problems.link}
            placeholder="https://tracker.example/ticket/123"
            testId="feature-link"
            type="url"
            disabled={readOnly}
          />
          <TextField
            label="Metadata"
            value={metaData}
            onChange={setMetaData}
            multiline
            rows={5}
            mono
            hint="Free text for your own tools, often JSON."
            testId="feature-metadata"
            disabled={readOnly}
          />
          <FilterPicker
            value={filters}
            onChange={setFilters}
            hint="API keys whose service account has filters get this feature only if it shares one of them."
            disabled={readOnly}
            testId="feature-filters"
          />
        </>
      )}
    </FormDialog>
  );
}
