// Every topic folder has the same file roles (README "Adding a topic"): demo.ts holds only the
// list, env.ts opens and closes what the steps share, steps live in steps-<group>.ts files as
// exported `xxxStep` values, index.ts runs the CLI, <topic>.test.ts runs the steps under vitest,
// ledger.ts holds what people say about the topic, and each lab has its folder under labs/.

import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { demoDir } from './paths.ts';
import { loadDemos } from './registry.ts';

const demos = await loadDemos();

describe('the topic convention', () => {
  for (const demo of demos) {
    describe(demo.id, () => {
      const dir = demoDir(demo.id);
      const files = readdirSync(dir);
      const read = (f: string) => readFileSync(`${dir}/${f}`, 'utf8');

      it('has the file roles every topic has', () => {
        const required = ['demo.ts', 'env.ts', 'index.ts', `${demo.id}.test.ts`, 'ledger.ts'];
        expect(required.filter((f) => !files.includes(f))).toEqual([]);
        expect(files.some((f) => /^steps-[a-z0-9-]+\.ts$/.test(f))).toBe(true);
        // Awaited: the bad-input test runs many entries in one process and needs each run's end.
        expect(read('index.ts')).toMatch(/\bawait main\(demo\b/);
        expect(read(`${demo.id}.test.ts`)).toMatch(/\btestDemo\(demo\)/);
        expect(read('demo.ts')).toMatch(/export const demo = defineDemo(<\w+>)?\(\{/);
      });

      it('opens and closes its environment with openEnv and closeEnv from env.ts', async () => {
        const env = (await import(pathToFileURL(`${dir}/env.ts`).href)) as Record<string, unknown>;
        expect(typeof env.openEnv).toBe('function');
        expect(typeof env.closeEnv).toBe('function');
        expect(demo.setup).toBe(env.openEnv);
        expect(demo.teardown).toBe(env.closeEnv);
      });

      it('keeps each lab in labs/<name>/ with lab.ts, start/, solution/ and wrong/<case>/', () => {
        const labs = files.includes('labs') ? readdirSync(`${dir}/labs`) : [];
        const bad = labs.flatMap((name) => {
          const has = readdirSync(`${dir}/labs/${name}`);
          const missing = ['lab.ts', 'start', 'solution', 'wrong'].filter((f) => !has.includes(f));
          return missing.map((f) => `labs/${name}: no ${f}`);
        });
        expect(bad).toEqual([]);
      });

      it('defines every step in a steps-*.ts file, exported as xxxStep', async () => {
        const exported = new Map<unknown, string>();
        for (const f of files.filter((f) => /^steps-.*\.ts$/.test(f))) {
          const mod = (await import(pathToFileURL(`${dir}/${f}`).href)) as Record<string, unknown>;
          for (const [name, value] of Object.entries(mod)) exported.set(value, name);
        }
        const wrong = demo.steps
          .filter((s) => !/^demos\/[a-z]+\/steps-[a-z0-9-]+\.ts$/.test(s.source))
          .map((s) => `${s.id}: defined in ${s.source}`);
        const unnamed = demo.steps
          .filter((s) => !/Step$/.test(exported.get(s) ?? ''))
          .map((s) => `${s.id}: exported as ${exported.get(s) ?? 'nothing'}`);
        expect([...wrong, ...unnamed]).toEqual([]);
      });
    });
  }
});
