/**
 * Parses a Java-style .properties file (the format FeatureHub's Java servers read): `key=value`,
 * `key: value` or `key value`, `#`/`!` comments, backslash line continuations and escapes.
 */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  let logical = '';
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (logical === '') line = line.replace(/^\s+/, '');
    else line = line.replace(/^\s+/, '');
    if (logical === '' && (line === '' || line.startsWith('#') || line.startsWith('!'))) continue;
    if (endsWithOddBackslashes(line) && i < lines.length - 1) {
      logical += line.slice(0, -1);
      continue;
    }
    logical += line;
    const [key, value] = splitKeyValue(logical);
    result.set(unescapeProperty(key), unescapeProperty(value));
    logical = '';
  }
  return result;
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function splitKeyValue(line: string): [string, string] {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t') {
      let rest = line.slice(i + 1);
      if (c === ' ' || c === '\t') rest = rest.replace(/^\s*[=:]?/, '');
      return [line.slice(0, i), rest.replace(/^\s+/, '')];
    }
  }
  return [line, ''];
}

function unescapeProperty(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', f: '\f' }[e] ?? e;
  });
}
