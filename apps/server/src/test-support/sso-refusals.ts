// What an MR logged about refused sign-ins. The log arrives through the child's stdout pipe, which may trail the
// HTTP answer, so tests wait for the line instead of reading the log once.
import { type RunningRole, until } from '@fh/test-support';

/** The detail of the latest `single sign-on refused` line, or '' when there is none. */
function lastRefusal(mr: RunningRole): string {
  const line = mr.output.findLast((l) => l.includes('single sign-on refused'));
  return line ? String((JSON.parse(line) as { detail?: string }).detail) : '';
}

/** Waits until the latest refusal the MR logged matches `pattern`; fails naming the detail last seen. */
export async function refusalLogged(mr: RunningRole, pattern: RegExp): Promise<string> {
  try {
    return await until(`a logged refusal matching ${pattern}`, () => {
      const detail = lastRefusal(mr);
      return pattern.test(detail) && detail;
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}; the latest logged refusal: ${JSON.stringify(lastRefusal(mr))}`);
  }
}
