// The public surface of @fh/evaluation with the interpreter's entry points answered by the compiled
// form instead. compiled.test.ts runs the interpreter's own test files against this module (see
// replay-hooks.mjs), so every vector they pin down also pins down compileFeature/evaluateCompiled.
import type {
  RolloutStrategyAttribute,
  RolloutStrategyAttributeConditional,
  RolloutStrategyFieldType,
} from '@fh/contracts';
import {
  compileFeature,
  type EvaluableFeature,
  type EvaluationContext,
  type EvaluationOptions,
  type EvaluationResult,
  evaluateCompiled,
} from '../index.ts';

export * from '../index.ts';

process.stderr.write(`[compiled-as-interpreter] ${process.argv[1] ?? ''}\n`);

export function evaluateFeature(
  feature: EvaluableFeature,
  context: EvaluationContext | undefined,
  options?: EvaluationOptions,
): EvaluationResult {
  return evaluateCompiled(compileFeature(feature), context, options);
}

/** One attribute as a one-strategy feature: it matches exactly when the strategy does. */
export function matchAttribute(
  attribute: RolloutStrategyAttribute,
  context: EvaluationContext | undefined,
  options?: EvaluationOptions,
): boolean {
  const compiled = compileFeature({
    id: 'attribute-probe',
    type: 'BOOLEAN',
    value: false,
    strategies: [{ id: 'probe', value: true, attributes: [attribute] }],
  });
  // The interpreter reads a missing context as one without attributes.
  return evaluateCompiled(compiled, context ?? {}, options).matched;
}

export function matchesCondition(
  type: RolloutStrategyFieldType,
  conditional: RolloutStrategyAttributeConditional,
  supplied: string,
  values: readonly unknown[],
): boolean {
  if (typeof supplied !== 'string' || !Array.isArray(values)) return false;
  return matchAttribute({ fieldName: 'probe', type, conditional, values }, { probe: [supplied] });
}
