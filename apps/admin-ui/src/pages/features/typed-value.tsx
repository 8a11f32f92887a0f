import { useId } from 'react';
import type { FeatureValueType, StrategyValue } from '../../api/types.ts';
import { formatJson, jsonProblem, parseNumberInput } from '../../lib/feature-value.ts';
import { Button } from '../../ui/buttons.tsx';

/** Why a value does not fit its type, for the editors below. */
export function typedValueProblem(type: FeatureValueType, value: StrategyValue): string | undefined {
  if (type === 'NUMBER' && typeof value === 'string' && parseNumberInput(value) === undefined)
    return 'Enter a number.';
  if (type === 'JSON' && typeof value === 'string') return jsonProblem(value);
  return undefined;
}

/**
 * The editor for one value of a feature's type: on/off for flags, text, a number field or a JSON area.
 * Numbers are kept as the typed text until saving so "12." can be typed.
 */
export function TypedValueInput({
  type,
  value,
  onChange,
  label,
  disabled,
  testId,
}: {
  type: FeatureValueType;
  value: StrategyValue;
  onChange: (v: StrategyValue) => void;
  label: string;
  disabled?: boolean;
  testId?: string;
}) {
  const id = useId();
  const problem = typedValueProblem(type, value);
  const errId = problem ? `${id}-err` : undefined;
  if (type === 'BOOLEAN') {
    return (
      <fieldset className="bool-choice" disabled={disabled} data-testid={testId}>
        <legend className="field-label">{label}</legend>
        <div className="segmented" role="radiogroup" aria-label={label}>
          {[true, false].map((b) => (
            <label key={String(b)} className={value === b ? 'seg seg-active' : 'seg'}>
              <input
                type="radio"
                name={id}
                checked={value === b}
                onChange={() => onChange(b)}
                data-testid={testId ? `${testId}-${b ? 'on' : 'off'}` : undefined}
              />
              {b ? 'On' : 'Off'}
            </label>
          ))}
        </div>
      </fieldset>
    );
  }
  const text = value === null || value === undefined ? '' : String(value);
  return (
    <div className={`field${problem ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {type === 'JSON' ? (
        <>
          <textarea
            id={id}
            className="mono"
            rows={6}
            value={text}
            spellCheck={false}
            disabled={disabled}
            onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby={errId}
            data-testid={testId}
          />
          <div className="row">
            <Button
              className="btn-sm"
              disabled={disabled || !!problem || text === ''}
              onClick={() => onChange(formatJson(text))}
            >
              Format JSON
            </Button>
          </div>
        </>
      ) : (
        <input
          id={id}
          type="text"
          inputMode={type === 'NUMBER' ? 'decimal' : undefined}
          value={text}
          disabled={disabled}
          placeholder="not set"
          onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={errId}
          data-testid={testId}
        />
      )}
      {problem ? (
        <div className="field-error" id={errId}>
          {problem}
        </div>
      ) : null}
    </div>
  );
}
