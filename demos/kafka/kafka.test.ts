import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { probe } from '../kit/endpoints.ts';
import { parseRunName } from '../kit/names.ts';
import { testDemo } from '../kit/vitest.ts';
import { createKafka } from './client.ts';
import { demo } from './demo.ts';

testDemo(demo);

/** crash-member.ts processes this process started and that still run. */
function memberProcesses(): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return (
          ppid === process.pid &&
          readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('crash-member.ts')
        );
      } catch {
        return false;
      }
    });
}

// Runs after the demo's teardown: nothing named by this process (runName) may remain.
describe('kafka: cleanup', () => {
  it('leaves no topics or groups of this run behind', async (ctx) => {
    if (!(await probe('kafka')).ok && process.env.CI !== 'true') ctx.skip('kafka is not running');
    const admin = createKafka('wirenotes-cleanup-check').admin();
    await admin.connect();
    try {
      const ours = (n: string) => parseRunName(n)?.pid === process.pid;
      const topics = (await admin.listTopics()).filter(ours);
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter(ours);
      expect({ topics, groups, members: memberProcesses() }).toEqual({
        topics: [],
        groups: [],
        members: [],
      });
    } finally {
      await admin.disconnect();
    }
  });
});
