// Changes its own environment after exec (WN_AT_EXEC changed, WN_ADDED added), starts a child
// that prints the WN_ variables it got, prints `child sees …`, and waits for a line on stdin
// before it exits, so its /proc/<pid>/environ can be read meanwhile.
import { execFileSync } from 'node:child_process';

process.env.WN_AT_EXEC = 'changed';
process.env.WN_ADDED = 'later';
const seen = execFileSync(process.execPath, [
  '-e',
  'console.log(Object.keys(process.env).filter((k) => k.startsWith("WN_") && k !== "WN_SANDBOX").sort().map((k) => k + "=" + process.env[k]).join(" "))',
]).toString();
process.stdout.write(`child sees ${seen}`);
process.stdin.once('data', () => process.exit(0));
