// Consumer groups: who owns which partition, rebalancing, idle members, committed offsets.

import type { Producer } from 'kafkajs';
import type { StepContext } from '../kit/define.ts';
import { step } from '../kit/define.ts';
import { waitFor } from '../kit/wait.ts';
import { partitionsOf } from './client.ts';
import { ensureTopic, group, producer, useCluster } from './cluster.ts';
import type { Env } from './env.ts';
import type { Group, Member, SettleResult } from './group.ts';
import { keyPerPartition } from './partitioners.ts';

function ownerTable(t: StepContext, g: Group, r: SettleResult): void {
  t.table(
    ['member', 'partitions (coordinator: DescribeGroups)', 'own GROUP_JOIN'],
    g.live.map((m) => [
      m.name,
      (r.owners.get(m) ?? []).join(',') || '—',
      m.partitions.join(',') || '—',
    ]),
  );
}

function ownedOnce(r: SettleResult): boolean {
  const all = [...r.owners.values()].flat().sort((a, b) => a - b);
  return all.join() === '0,1,2';
}

async function join(t: StepContext, g: Group, names: string[]): Promise<SettleResult> {
  const since = g.mark();
  for (const n of names) await g.add(n);
  t.waiting(`${names.join(', ')} to join and the group to settle`);
  return g.settle(since);
}

async function sendOnePerPartition(p: Producer, topic: string, keys: string[], value: string) {
  for (const key of keys) await p.send({ topic, acks: -1, messages: [{ key, value }] });
}

export const assignmentStep = step<Env>(
  {
    id: 'assignment',
    section: 'consumer-groups',
    title: 'A group splits the partitions: each partition has exactly one owner',
    needs: [],
  },
  async (t, env) => {
    await useCluster(t, env, 'shared');
    const topic = await ensureTopic(env, 'layout', { partitions: 3 });
    const g = group(t, env, 'assign', topic, 3);
    const r = await join(t, g, ['member-1', 'member-2']);
    ownerTable(t, g, r);
    t.equal('the coordinator lists 2 members in a Stable group', r.owners.size, 2);
    t.check('each of the 3 partitions has exactly one owner in the group', ownedOnce(r));
    t.equal(
      'the split is 2 + 1 partitions',
      [...r.owners.values()].map((ps) => ps.length).sort(),
      [1, 2],
    );
    t.check(
      "each member's GROUP_JOIN event agrees with the coordinator",
      g.live.every((m) => m.partitions.join() === r.owners.get(m)?.join()),
    );
  },
);

export const rebalanceStep = step<Env>(
  {
    id: 'rebalance',
    section: 'rebalancing',
    title: 'A member joins or leaves: the group rebalances and partitions move',
    needs: [],
  },
  async (t, env) => {
    await useCluster(t, env, 'shared');
    const topic = await ensureTopic(env, 'layout', { partitions: 3 });
    const g = group(t, env, 'rebalance', topic, 3);
    const before = await join(t, g, ['member-1', 'member-2']);
    ownerTable(t, g, before);
    const joinsBefore = g.mark();
    const three = await join(t, g, ['member-3']);
    t.say('member-3 joined:');
    ownerTable(t, g, three);
    t.check(
      'member-1 and member-2 rejoined (a new GROUP_JOIN each) when member-3 arrived',
      g.live.filter((m) => m.name !== 'member-3').every((m) => m.joins > (joinsBefore.get(m) ?? 0)),
    );
    t.equal(
      'after the rebalance each of the 3 members owns exactly 1 partition',
      [...three.owners.values()].map((ps) => ps.length),
      [1, 1, 1],
    );
    t.check('every partition still has exactly one owner', ownedOnce(three));

    const leaving = g.live[0] as Member;
    const gone = three.owners.get(leaving) ?? [];
    const since = g.mark();
    await g.remove(leaving);
    t.say(`${leaving.name} calls disconnect(): it sends LeaveGroup`);
    t.waiting('the remaining members to rejoin');
    const two = await g.settle(since);
    ownerTable(t, g, two);
    t.say(`settled ${two.ms} ms after the LeaveGroup; the session timeout is 6000 ms`);
    t.check(
      `${leaving.name}'s partition ${gone.join(',')} moved to a remaining member`,
      gone.length > 0 && gone.every((p) => [...two.owners.values()].some((ps) => ps.includes(p))),
    );
    t.check('the 2 remaining members own all 3 partitions, once each', ownedOnce(two));
  },
);

export const idleStep = step<Env>(
  {
    id: 'idle-member',
    section: 'more-members-than-partitions',
    title: 'A fourth member on 3 partitions sits idle until another leaves',
    needs: [],
  },
  async (t, env) => {
    await useCluster(t, env, 'shared');
    const topic = await ensureTopic(env, 'layout', { partitions: 3 });
    const g = group(t, env, 'idle', topic, 3);
    await join(t, g, ['member-1', 'member-2', 'member-3']);
    const four = await join(t, g, ['member-4']);
    ownerTable(t, g, four);
    const idle = g.live.filter((m) => (four.owners.get(m) ?? []).length === 0);
    t.equal('the coordinator lists all 4 members in the group', four.owners.size, 4);
    t.equal('exactly one member has no partition', idle.length, 1);
    const parts = await partitionsOf(env.admin, topic);
    t.equal('the topic still has 3 partitions: joining creates none', parts.length, 3);

    const spare = idle[0] as Member;
    const p = await producer(t, env);
    const keys = keyPerPartition(3, 'idle');
    await sendOnePerPartition(p, topic, keys, 'a');
    const total = async () =>
      (await env.admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
    const inTopic = await total();
    t.waiting(`the group to read all ${inTopic} records in the topic`);
    await g.receivedAtLeast(inTopic);
    t.table(
      ['member', 'records read'],
      g.live.map((m) => [m.name, g.distinct(m).length]),
    );
    t.equal(`the idle ${spare.name} read no records`, g.distinct(spare).length, 0);

    const leaving = g.live.find((m) => m !== spare) as Member;
    const freed = four.owners.get(leaving) ?? [];
    const since = g.mark();
    await g.remove(leaving);
    t.say(`${leaving.name} leaves (disconnect), freeing partition ${freed.join(',')}`);
    const three = await g.settle(since);
    ownerTable(t, g, three);
    const taken = three.owners.get(spare) ?? [];
    t.say(
      'kafkajs rebalances eagerly: every partition is dealt afresh, so the spare gets a ' +
        'partition, not necessarily the freed one',
    );
    t.check(
      `the formerly idle ${spare.name} now owns a partition (${taken.join(',') || 'none'})`,
      taken.length === 1,
    );
    t.check('the 3 remaining members own all 3 partitions, once each', ownedOnce(three));
    await sendOnePerPartition(p, topic, keys, 'b');
    await g.until(`${spare.name} to read from partition ${taken.join(',')}`, () =>
      g.distinct(spare).some((r) => r.value === 'b'),
    );
    t.check(
      `${spare.name} now reads new records, all from partition ${taken.join(',')}`,
      g.distinct(spare).every((r) => taken.includes(r.partition)),
    );
  },
);

async function committed(env: Env, groupId: string, topic: string): Promise<number[]> {
  const [t] = await env.admin.fetchOffsets({ groupId, topics: [topic] });
  return (t?.partitions ?? [])
    .sort((a, b) => a.partition - b.partition)
    .map((p) => Number(p.offset));
}

async function endOffsets(env: Env, topic: string): Promise<number[]> {
  return (await env.admin.fetchTopicOffsets(topic))
    .sort((a, b) => a.partition - b.partition)
    .map((o) => Number(o.high));
}

async function waitCommitted(env: Env, groupId: string, topic: string): Promise<number[]> {
  const end = await endOffsets(env, topic);
  return waitFor(`${groupId} to commit up to ${end.join(',')}`, async () => {
    const c = await committed(env, groupId, topic);
    return c.join() === end.join() ? c : undefined;
  });
}

export const offsetsStep = step<Env>(
  {
    id: 'offsets',
    section: 'committed-offsets',
    title: 'Each group keeps its own committed offsets; a restarted member resumes from them',
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
    const end = await endOffsets(env, topic);
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
