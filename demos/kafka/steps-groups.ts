// Consumer groups: who owns which partition, rebalancing, idle members, a member that crashes.

import type { StepContext } from '../kit/define.ts';
import { step } from '../kit/define.ts';
import { partitionsOf, SESSION_TIMEOUT_MS } from './client.ts';
import { ensureTopic, group, producer, sendOnePerPartition, useCluster } from './cluster.ts';
import type { Env } from './env.ts';
import type { Group, Member, SettleResult } from './group.ts';
import { memberProcess } from './member-process.ts';
import { committedOffsets } from './offsets.ts';
import { keyPerPartition } from './partitioners.ts';

/** Member → partitions as the coordinator reports them (DescribeGroups), for an assignment figure. */
function owners(label: string, r: SettleResult) {
  const map: Record<string, string[]> = {};
  for (const [m, ps] of r.owners) map[m.name] = ps.map(String);
  return { label, map };
}

function ownership(t: StepContext, states: ReturnType<typeof owners>[]): void {
  t.figure({ kind: 'assignment', keyLabel: 'member', valueLabel: 'partitions', states });
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
    ownership(t, [owners('(DescribeGroups)', r)]);
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
    const joinsBefore = g.mark();
    const three = await join(t, g, ['member-3']);
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
    ownership(t, [
      owners('with 2 members', before),
      owners('member-3 joined', three),
      owners(`${leaving.name} left`, two),
    ]);
    t.say(
      `settled ${two.ms} ms after the LeaveGroup; the session timeout is ${SESSION_TIMEOUT_MS} ms`,
    );
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
    const topic = await ensureTopic(env, 'idle', { partitions: 3 });
    const g = group(t, env, 'idle', topic, 3);
    await join(t, g, ['member-1', 'member-2', 'member-3']);
    const four = await join(t, g, ['member-4']);
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
    ownership(t, [owners('4 members', four), owners(`${leaving.name} left`, three)]);
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

/** Short enough to watch it expire, above the broker's group.min.session.timeout.ms (1000 ms). */
const CRASH_SESSION_MS = 2000;

export const crashStep = step<Env>(
  {
    id: 'crash',
    section: 'a-member-that-crashes',
    title: 'A killed member keeps its partitions until its session expires',
    needs: [],
  },
  async (t, env) => {
    await useCluster(t, env, 'shared');
    const topic = await ensureTopic(env, 'crash', { partitions: 3 });
    const g = group(t, env, 'crash', topic, 3);
    const survivor = await g.add('survivor');
    await g.until('the survivor to join', () => survivor.joins > 0);
    const doomed = memberProcess(t, g.groupId, topic, CRASH_SESSION_MS);
    t.waiting(
      `a second member, in its own process (session timeout ${CRASH_SESSION_MS} ms), to join`,
    );
    const split = () =>
      [...survivor.partitions, ...doomed.partitions].sort((a, b) => a - b).join() === '0,1,2';
    await doomed.until('the member process to get partitions', () => doomed.partitions.length > 0);
    await g.until('the survivor and the member process to split the partitions', split);
    const lost = doomed.partitions;
    const lostText = lost.join(',');

    const p = await producer(t, env);
    const keys = keyPerPartition(3, 'crash');
    for (const v of ['a', 'b', 'c']) await sendOnePerPartition(p, topic, keys, v);
    t.waiting('each member to process the records of its partitions');
    await doomed.until(
      'the member process to read 3 records of each partition and commit after the second',
      () => doomed.received.length >= 3 * lost.length && doomed.committed.size === lost.length,
    );
    const lastCommit = await committedOffsets(env, g.groupId, topic);

    const joinsAtKill = survivor.joins;
    await doomed.kill();
    const killedAt = performance.now();
    const right = await g.describe();
    await sendOnePerPartition(p, topic, keys, 'd');
    t.waiting(`the coordinator to notice: no heartbeat for ${CRASH_SESSION_MS} ms`);
    await g.until(
      'the survivor to take over every partition',
      () => survivor.partitions.length === 3,
    );
    const tookOver = Math.round(performance.now() - killedAt);
    const onLost = () => survivor.received.filter((r) => lost.includes(r.partition));
    await g.until("the survivor to read the crashed member's partitions up to d", () =>
      lost.every((part) => onLost().some((r) => r.partition === part && r.value === 'd')),
    );
    const redone = onLost();
    const show = (rs: { partition: number; offset: number; value: string }[]) =>
      rs.map((r) => `${r.partition}:${r.offset}=${r.value}`).join(' ');
    const commits = lost.map((part) => lastCommit[part]).join(',');
    t.figure({
      kind: 'timeline',
      title: `partition ${lostText}: the member process, killed, then the survivor`,
      lanes: ['member process', 'coordinator', 'survivor'],
      rows: [
        { lane: 0, text: `joined: partition ${lostText}` },
        { lane: 0, text: `read ${show(doomed.received)}`, result: `commit ${commits}` },
        { lane: 0, text: 'SIGKILL (no LeaveGroup)' },
        { lane: 1, text: `still ${right.members.length} members, ${right.state}` },
        { lane: 1, text: 'd appended, unread', mark: 'waits' },
        { lane: 1, text: `${CRASH_SESSION_MS} ms, no heartbeat: rebalance` },
        { lane: 2, text: 'joined: partitions 0,1,2' },
        { lane: 2, text: `read ${show(redone)}` },
      ],
    });
    t.say(
      `the takeover came ${tookOver} ms after the kill, with a session timeout of ` +
        `${CRASH_SESSION_MS} ms; a member that calls disconnect() is replaced at once (step rebalance)`,
    );
    const dead = right.members.find((m) => m.memberId !== survivor.memberId);
    t.equal(
      `right after the kill the coordinator still lists both members, the dead one holding partition ${lostText}`,
      [right.members.length, dead?.partitions],
      [2, lost],
    );
    t.check(
      `partition ${lostText} was read by nobody until the survivor's next GROUP_JOIN (the rebalance)`,
      survivor.joins > joinsAtKill && redone.every((r) => r.joins > joinsAtKill),
    );
    const afterCommit = doomed.received.filter((r) => r.offset >= (lastCommit[r.partition] ?? 0));
    t.equal(
      'the survivor resumed at the last commit: it processed again exactly what the killed member ' +
        'had processed after it (at-least-once), then d',
      show(redone),
      show([...afterCommit, ...redone.filter((r) => r.value === 'd')]),
    );
  },
);
