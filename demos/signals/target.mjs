// A process to send signals to. Arguments: `handle=TERM,INT` installs handlers that only print
// "caught SIGTERM"; `exit-on=TERM` installs one that prints and exits 0; `exit=<n>` exits with n
// at once. It prints "ready <pid>" and answers each "ping" line on stdin with "pong", so the
// demo can tell a live process from a dead one by a round trip, not by waiting.

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const names = (v) => (v ? v.split(',').map((s) => `SIG${s}`) : []);

if (args.exit !== undefined) process.exit(Number(args.exit));
for (const s of names(args.handle)) process.on(s, () => process.stdout.write(`caught ${s}\n`));
for (const s of names(args['exit-on'])) {
  process.on(s, () => {
    process.stdout.write(`caught ${s}, exiting 0\n`);
    process.exit(0);
  });
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  for (const line of chunk.split('\n')) if (line === 'ping') process.stdout.write('pong\n');
});
// stdin closing (the demo went away) must not end the process: only a signal may.
process.stdin.on('end', () => setInterval(() => {}, 60_000));
process.stdout.write(`ready ${process.pid}\n`);
