import { type ReactNode, useState } from 'react';
import { nameProblem } from '../lib/validation.ts';
import { NameDescriptionFields } from './forms.tsx';
import { useAction } from './hooks.ts';
import { FormDialog } from './overlays.tsx';

/**
 * The create/edit dialog of an item that has a name and a description (and perhaps a few more fields,
 * given as `children`, whose state the caller keeps and `save` reads). Test ids: `<testId>-dialog`,
 * `-save`, `-name`, `-description`.
 */
export function NameDescriptionDialog<T>({
  noun,
  testId,
  editing,
  maxLength,
  rows,
  required,
  save,
  onClose,
  onSaved,
  children,
}: {
  /** What is made, as in "Create feature filter"; also names the name field in its problems. */
  noun: string;
  testId: string;
  /** The item edited (its name and description start the fields); absent when creating. */
  editing: { name?: string; description?: string } | undefined;
  maxLength: number;
  rows?: number;
  required?: boolean;
  /** Creates or saves with the trimmed name and description. */
  save: (name: string, description: string) => Promise<T>;
  onClose: () => void;
  onSaved: (saved: T) => void;
  children?: ReactNode;
}) {
  const [name, setName] = useState(editing?.name ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const problem = nameProblem(name, noun, maxLength);
  const action = useAction(async () => {
    onSaved(await save(name.trim(), description.trim()));
  });
  return (
    <FormDialog
      title={editing ? `Edit ${noun}` : `Create ${noun}`}
      onClose={onClose}
      action={action}
      invalid={Boolean(problem)}
      submitLabel={editing ? 'Save' : 'Create'}
      submitTestId={`${testId}-save`}
      testId={`${testId}-dialog`}
    >
      {(tried) => (
        <>
          <NameDescriptionFields
            name={name}
            description={description}
            onName={setName}
            onDescription={setDescription}
            nameError={tried ? problem : undefined}
            testIds={[`${testId}-name`, `${testId}-description`]}
            {...(rows !== undefined ? { rows } : {})}
            {...(required ? { required } : {})}
          />
          {children}
        </>
      )}
    </FormDialog>
  );
}
