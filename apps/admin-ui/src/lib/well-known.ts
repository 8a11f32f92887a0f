// The well-known attribute values the SDKs send (StrategyAttribute*Name in the MR API).

// One list for the whole system: the same constants the server's schemas and the Edge use.
export {
  COUNTRY_NAMES as COUNTRIES,
  DEVICE_NAMES as DEVICES,
  PLATFORM_NAMES as PLATFORMS,
} from '@fh/contracts/well-known-names';

const SPECIAL_NAMES: Record<string, string> = {
  the_bahamas: 'The Bahamas',
  the_gambia: 'The Gambia',
  congo_democratic_republic_of_the: 'Congo (Democratic Republic)',
  congo_republic_of_the: 'Congo (Republic)',
  cote_divoire: "Côte d'Ivoire",
  korea_north: 'North Korea',
  korea_south: 'South Korea',
  sudan_south: 'South Sudan',
  micronesia_federated_states_of: 'Micronesia',
  guinea_bissau: 'Guinea-Bissau',
  macos: 'macOS',
  ios: 'iOS',
};

/** "new_zealand" → "New Zealand": the label shown for a well-known value. */
export function wellKnownLabel(value: string): string {
  const special = SPECIAL_NAMES[value];
  if (special !== undefined) return special;
  return value
    .split('_')
    .map((w) => (w === 'and' || w === 'the' || w === 'of' ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}
