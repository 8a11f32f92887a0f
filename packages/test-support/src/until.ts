/**
 * Polls `probe` every 20 ms until it returns something other than `undefined` or `false`, and resolves with that;
 * rejects naming `what` after `timeoutMs`. For waiting on SDKs and streams in tests without fixed sleeps.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
