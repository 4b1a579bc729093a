// Waiting for a condition only the other process can make true (a port accepting, a stats row
// changing): ask again every few milliseconds, up to a bound, and say what never happened.

const EVERY_MS = 20;

/** Calls `probe` until it returns something other than undefined; rejects after `ms`. */
export async function poll<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  ms = 5_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, EVERY_MS));
  }
}
