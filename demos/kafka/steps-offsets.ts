// Committed offsets: each group's own, resumed from after a restart, and what happens when the
// committed offset no longer exists in the log.

import { step } from '../kit/define.ts';
import { waitFor } from '../kit/wait.ts';
import { ensureTopic, group, producer, sendOnePerPartition, useCluster } from './cluster.ts';
import type { Env } from './env.ts';
import type { Member } from './group.ts';
import { committedOffsets, offsetRange, waitCommitted } from './offsets.ts';
import { keyPerPartition } from './partitioners.ts';

export const offsetsStep = step<Env>(
  {
    id: 'offsets',
    section: 'committed-offsets',
    title: 'Each group has its own committed offsets; a restart resumes from them',
    needs: [],
  },
  async (t, env) => {
    await useCluster(t, env, 'shared');
    const topic = await ensureTopic(env, 'offsets', { partitions: 3 });
    const p = await producer(t, env);
    const keys = keyPerPartition(3, 'acct');
    for (const v of ['1', '2', '3']) await sendOnePerPartition(p, topic, keys, v);
    const a = group(t, env, 'offsets-a', topic, 3);
    const first = await a.add('first');
    t.waiting('group A to read 9 records and commit');
    await a.receivedAtLeast(9);
    const before = await waitCommitted(env, a.groupId, topic);
    t.show('group A committed offsets (fetchOffsets, per partition)', before.join(', '));
    await a.remove(first);
    t.say('the member stops; 3 more records are written, one per partition');
    await sendOnePerPartition(p, topic, keys, '4');
    const again = await a.add('restarted');
    t.waiting('the restarted member to read the new records');
    await a.until('3 new records for the restarted member', () => a.distinct(again).length >= 3);
    const after = await waitCommitted(env, a.groupId, topic);
    const firstOffsets = [0, 1, 2].map((part) =>
      Math.min(
        ...a
          .distinct(again)
          .filter((r) => r.partition === part)
          .map((r) => r.offset),
      ),
    );
    t.table(
      ['member', 'read (partition:offset=value)'],
      a.members.map((m) => [
        m.name,
        a
          .distinct(m)
          .map((r) => `${r.partition}:${r.offset}=${r.value}`)
          .join(' '),
      ]),
    );
    t.equal(
      'the restarted member began at the committed offsets, not at the beginning',
      firstOffsets,
      before,
    );
    t.equal('it read only the 3 new records', a.distinct(again).length, 3);

    const b = group(t, env, 'offsets-b', topic, 3);
    await b.add('other');
    t.waiting('group B to read the topic');
    await b.receivedAtLeast(12);
    const bCommitted = await waitCommitted(env, b.groupId, topic);
    const end = (await offsetRange(env, topic)).map((r) => r.high);
    t.table(
      ['partition', 'end offset', 'group A committed', 'group B committed'],
      end.map((e, i) => [i, e, after[i], bCommitted[i]]),
    );
    t.equal('group B, new, read all 12 records from offset 0', b.distinct().length, 12);
    t.check(
      'group B read offset 0 of every partition although group A had committed past it',
      [0, 1, 2].every((part) => b.distinct().some((r) => r.partition === part && r.offset === 0)),
    );
    t.equal(
      'both groups end with their own commits at the end offsets',
      [after, bCommitted],
      [end, end],
    );
  },
);

export const resetStep = step<Env>(
  {
    id: 'offset-reset',
    section: 'when-the-committed-offset-is-gone',
    title: 'A commit below the log start is out of range: the reset policy applies',
    needs: [],
  },
  async (t, env) => {
    await useCluster(t, env, 'shared');
    const topic = await ensureTopic(env, 'reset', { partitions: 1 });
    const p = await producer(t, env);
    const write = async (from: number, to: number) => {
      for (let i = from; i < to; i++)
        await p.send({ topic, acks: -1, messages: [{ value: `r${i}` }] });
    };
    await write(0, 2);
    const early = group(t, env, 'reset-earliest', topic, 1);
    const late = group(t, env, 'reset-latest', topic, 1);
    const firsts = [await early.add('first'), await late.add('first')];
    t.waiting('two groups to read offsets 0 and 1 and commit');
    for (const [i, g] of [early, late].entries()) {
      await waitCommitted(env, g.groupId, topic);
      await g.remove(firsts[i] as Member);
    }
    await write(2, 6);
    await env.admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }] });
    t.say(
      'both groups committed 2 and stopped; 4 more records were written, then the records below ' +
        'offset 4 deleted (deleteRecords, which moves the log start as retention does)',
    );
    const [range] = await offsetRange(env, topic);
    const [committed] = await committedOffsets(env, early.groupId, topic);
    const low = range?.low ?? -1;
    const high = range?.high ?? -1;
    t.table(
      ['partition 0', 'offset'],
      [
        ['log start (deleteRecords up to 4)', low],
        ['end (high watermark)', high],
        ['committed by both groups', committed],
      ],
    );
    t.check(
      `the committed offset ${committed} is below the log start ${low}: it is out of range`,
      committed !== undefined && committed >= 0 && committed < low,
    );

    const e = await early.add('earliest');
    t.waiting('the fromBeginning: true member to read the records still in the log');
    await early.until('records 4 and 5', () => e.received.length >= high - low);
    t.equal(
      `fromBeginning: true (auto.offset.reset=earliest) restarts at the log start, ${low}, not at the commit`,
      e.received.map((r) => r.offset),
      Array.from({ length: high - low }, (_, i) => low + i),
    );

    const l = await late.add('latest', { fromBeginning: false });
    t.waiting('the fromBeginning: false member to reset and read a new record');
    // Its reset to the end happens at its first fetch, at a moment this process cannot see:
    // keep appending until it reads one, then look at which offsets it read.
    let appended = 0;
    await waitFor(
      'the latest member to read a record',
      async () => {
        await p.send({ topic, acks: -1, messages: [{ value: `new${appended++}` }] });
        return l.received.length ? true : undefined;
      },
      { intervalMs: 200 },
    );
    t.show(
      'the fromBeginning: false member read',
      l.received.map((r) => `${r.offset}=${r.value}`).join(' '),
    );
    t.check(
      `fromBeginning: false (latest) skips offsets ${low}–${high - 1}, still in the log: it starts at the end`,
      l.received.every((r) => r.offset >= high),
    );
  },
);
