// Waiting for a state a service reaches without telling us (a leader elected, a replica back in
// sync): re-ask with a real request until the answer is there, within a deadline that names what
// was awaited. The one poll-with-deadline of the demos.

export class Timeout extends Error {
  override name = 'Timeout';
}

/**
 * Re-evaluates `probe` until it returns a value other than undefined, or throws Timeout naming
 * `what` (and the last error `probe` threw). Each round is spaced by `intervalMs`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 30_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Timeout(`gave up after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
