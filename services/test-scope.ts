// Which test files run on every Node line of the matrix and which run once. `npm run matrix --
// test` runs the whole suite on the first line (the machine's own Node) and, on every other
// line, the suite without the files below (`vitest run --mode per-line`, see vitest.config.ts).
// A file belongs here only when its outcome cannot depend on the Node line the tests run under;
// when in doubt it stays per line.
//
// Per line (not here): every demo's steps (<topic>.test.ts run real servers, TLS, HTTP, signals
// and child processes through Node's own APIs), the tools' tests (subcommands), the kit's
// runtime tests (kit.test.ts, wait.test.ts: timers, streams, process exit codes) and the topics'
// helper tests: what they check is what the runtime does.

interface Scope {
  glob: string;
  /** Why its outcome cannot depend on the Node line. */
  why: string;
}

export const ONCE: Scope[] = [
  {
    glob: 'services/**/*.test.ts',
    why:
      'the services are the machine’s (Kafka on Java, nginx, PostgreSQL, MariaDB): how they are ' +
      'started, leased, recorded and cleaned up is the same whichever Node runs the demos',
  },
  {
    glob: 'demos/kit/bad-input.test.ts',
    why: 'argument and variable validation: string checks, one line and exit 2',
  },
  {
    glob: 'demos/kit/notes.test.ts',
    why: 'reads the notes and the claims ledger as text',
  },
  {
    glob: 'demos/kit/convention.test.ts',
    why: 'reads the topic folders as files',
  },
  {
    glob: 'demos/isolation/note.test.ts',
    why: 'compares a table in the note with the anomaly records, as text',
  },
  {
    glob: 'demos/signals/private-checkout.test.ts',
    why: 'folder permissions: whether the postgres user reaches the cluster (the step itself runs per line)',
  },
  {
    glob: 'demos/kit/view/**/*.test.ts',
    why: 'the page runs in Chromium; the demos it runs are proven per line by their own tests',
  },
];
