// The step context: what a step's `t` does. Narration becomes events; claims are compared and
// recorded with what was expected and what really happened.

import { inspect, isDeepStrictEqual } from 'node:util';
import type { Expectation, StepContext } from './define.ts';
import type { Figure } from './figures.ts';

export interface ClaimResult {
  text: string;
  ok: boolean;
  actual?: string;
  expected?: string;
  detail?: string;
}

type Narration =
  | { kind: 'say'; text: string }
  | { kind: 'show'; label: string; value: string }
  | { kind: 'block'; lines: string[] }
  | { kind: 'table'; header: string[]; rows: string[][] }
  | { kind: 'waiting'; what: string }
  | { kind: 'figure'; figure: Figure };

export type StepEvent = Narration | { kind: 'claim'; claim: ClaimResult };

function formatValue(value: unknown, max = 240): string {
  const text =
    typeof value === 'string'
      ? JSON.stringify(value)
      : inspect(value, { depth: 4, breakLength: Number.POSITIVE_INFINITY, compact: true });
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function showValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && !(value instanceof Error)) {
    try {
      const compact = JSON.stringify(value);
      return compact.length <= 80 ? compact : JSON.stringify(value, null, 2);
    } catch {
      // BigInt or a cycle: inspect copes with both.
    }
  }
  return inspect(value, { depth: 4, breakLength: 96 });
}

export function errorSummary(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return code !== undefined ? `${String(code)}: ${err.message}` : err.message;
  }
  return String(err);
}

function matchesExpectation(err: unknown, expected: Expectation): boolean {
  const e = (err ?? {}) as { code?: unknown; message?: unknown; name?: unknown };
  const code = e.code === undefined ? undefined : String(e.code);
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof expected === 'string') {
    return code === expected || e.name === expected || message.includes(expected);
  }
  if (expected instanceof RegExp)
    return expected.test(message) || (code !== undefined && expected.test(code));
  if (expected.code !== undefined && code !== expected.code) return false;
  if (expected.message !== undefined) {
    return typeof expected.message === 'string'
      ? message.includes(expected.message)
      : expected.message.test(message);
  }
  return true;
}

function describeExpectation(expected: Expectation): string {
  if (typeof expected === 'string' || expected instanceof RegExp) return String(expected);
  return [expected.code, expected.message && String(expected.message)].filter(Boolean).join(': ');
}

/** A claim as one line: `✓ claim` or `✗ claim — expected …, got …` (the mark painted by `mark`). */
export function claimLine(
  c: ClaimResult,
  mark: (ok: boolean) => string = (ok) => (ok ? '✓' : '✗'),
) {
  const head = `${mark(c.ok)} ${c.text}`;
  if (c.ok) return head;
  if (c.expected !== undefined) return `${head} — expected ${c.expected}, got ${c.actual}`;
  return c.detail ? `${head} — ${c.detail}` : head;
}

/** The step context: narration and claims are recorded and passed on to the reporter. */
export function makeContext(
  emit: (e: StepEvent) => void,
  claims: ClaimResult[],
  deferred: (() => unknown)[],
  uses: (part: string, version: string) => void,
): StepContext {
  const claim = (c: ClaimResult): boolean => {
    claims.push(c);
    emit({ kind: 'claim', claim: c });
    return c.ok;
  };
  return {
    say: (text) => emit({ kind: 'say', text }),
    show: (label, value) => emit({ kind: 'show', label, value: showValue(value) }),
    block: (lines) => emit({ kind: 'block', lines }),
    table: (header, rows) =>
      emit({
        kind: 'table',
        header,
        rows: rows.map((r) => r.map((c) => (typeof c === 'string' ? c : formatCell(c)))),
      }),
    waiting: (what) => emit({ kind: 'waiting', what }),
    figure: (figure) => emit({ kind: 'figure', figure }),
    uses,
    check: (text, ok, detail) => claim(ok ? { text, ok } : { text, ok, detail }),
    equal: (text, actual, expected) => {
      const ok = isDeepStrictEqual(actual, expected);
      return claim(
        ok
          ? { text, ok }
          : { text, ok, actual: formatValue(actual), expected: formatValue(expected) },
      );
    },
    match: (text, actual, pattern) => {
      const ok = pattern.test(actual);
      return claim(
        ok ? { text, ok } : { text, ok, actual: formatValue(actual), expected: String(pattern) },
      );
    },
    rejects: async (text, fn, expected) => {
      try {
        const value = await fn();
        claim({
          text,
          ok: false,
          actual: `resolved with ${formatValue(value)}`,
          expected: `rejection ${describeExpectation(expected)}`,
        });
        return undefined;
      } catch (err) {
        const ok = matchesExpectation(err, expected);
        claim(
          ok
            ? { text, ok }
            : { text, ok, actual: errorSummary(err), expected: describeExpectation(expected) },
        );
        return err;
      }
    },
    defer: (fn) => {
      deferred.push(fn);
    },
  };
}

function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
