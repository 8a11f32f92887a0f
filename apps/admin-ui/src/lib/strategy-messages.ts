import type { RolloutStrategyCollectionViolationType, RolloutStrategyViolationType } from '../api/types.ts';

const MESSAGES: Record<RolloutStrategyViolationType | RolloutStrategyCollectionViolationType, string> = {
  no_name: 'give the strategy a name.',
  name_too_long: 'the name is too long (200 characters at most).',
  empty_match_criteria: 'add a percentage or at least one rule, otherwise it never matches.',
  negative_percentage: 'the percentage cannot be negative.',
  percentage_over_100_percent: 'the percentage cannot be over 100%.',
  array_attribute_no_values: 'a rule has no values to compare with.',
  attr_invalid_well_known_enum: 'a rule uses a value that is not one of the allowed choices.',
  attr_missing_value: 'a rule is missing its value.',
  attr_missing_conditional: 'a rule is missing its condition.',
  attr_missing_field_name: 'a custom rule is missing its attribute name.',
  attr_missing_field_type: 'a custom rule is missing its type.',
  attr_val_not_semantic_version: 'a version rule has a value that is not a semantic version (like 1.2.3).',
  attr_val_not_number: 'a number rule has a value that is not a number.',
  attr_val_not_date: 'a date rule has a value that is not a date (YYYY-MM-DD).',
  attr_val_not_date_time: 'a date-time rule has a value that is not an ISO date-time.',
  attr_val_not_cidr: 'an IP address rule has a value that is not an IP address or CIDR range.',
  attr_unknown_failure: 'a rule could not be checked.',
  percentage_adds_over_100_percent:
    'The percentages of the percentage-only strategies add up to more than 100%.',
  boolean_has_no_value: 'Every strategy of a flag must say whether it turns the flag on or off.',
};

/** Plain words for a server-side strategy validation code. */
export function describeViolation(code: string): string {
  return (MESSAGES as Record<string, string>)[code] ?? `the server rejected it (${code}).`;
}
