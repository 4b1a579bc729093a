// A postgresql.conf fragment read as the server reads its configuration file (PostgreSQL docs,
// "Setting Parameters" § Parameter Interaction via the Configuration File): one `name = value` a
// line, the `=` optional, `#` starts a comment, a value that is not a simple identifier or number
// in single quotes ('' or \' for a quote inside), names case-insensitive, the last one wins.

import { readFileSync } from 'node:fs';

const SETTING =
  /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(?:=\s*)?(?:'((?:[^'\\]|''|\\.)*)'|([^\s#']+))\s*(?:#.*)?$/;

/** The settings of `file`, each name lower-cased; a name not in `allowed` is refused. */
export function readConf(file: string, allowed: string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const [i, line] of readFileSync(file, 'utf8').split('\n').entries()) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = SETTING.exec(line);
    if (!m) throw new Error(`${file}, line ${i + 1}: not a setting: ${line.trim()}`);
    const name = (m[1] as string).toLowerCase();
    if (!allowed.includes(name))
      throw new Error(
        `${file}, line ${i + 1}: ${name} is not set here (only ${allowed.join(', ')})`,
      );
    settings[name] = m[2] !== undefined ? m[2].replace(/''|\\'/g, "'") : (m[3] as string);
  }
  return settings;
}
