// Brokers that crash, not stop: SIGKILL (no controlled shutdown, no leadership handed over) on a
// cluster of the run's own (own-cluster.ts). What an acknowledgement was worth when the leader
// died, and what a 3-node combined cluster does with two of its nodes dead.

import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import kafkajs, { type Admin, type Kafka, type Producer } from 'kafkajs';
import type { StepContext } from '../kit/define.ts';
import { step } from '../kit/define.ts';
import { waitFor } from '../kit/wait.ts';
import { partitionsOf, producerOptions } from './client.ts';
import { createTopic } from './cluster.ts';
import type { Env } from './env.ts';
import { type OwnCluster, startOwnCluster } from './own-cluster.ts';
import { rootCause } from './steps-replication.ts';

// kafkajs is CommonJS; Node's named-export detection misses ConfigResourceTypes.
const { ConfigResourceTypes } = kafkajs;

/** The run's own cluster, started by the first step that needs it and stopped by the teardown. */
async function ownCluster(t: StepContext, env: Env): Promise<OwnCluster> {
  if (!env.own) {
    t.waiting('a 3-node KRaft cluster of this run (same jars and settings, free ports)');
    env.own = startOwnCluster(env.run, () => undefined);
  }
  return env.own;
}

/** An admin client on the own cluster that the step disconnects when it ends. */
async function adminOf(t: StepContext, own: OwnCluster): Promise<Admin> {
  const admin = own.kafka.admin();
  await admin.connect();
  t.defer(() => admin.disconnect());
  return admin;
}

async function producerOf(t: StepContext, kafka: Kafka, retries: number): Promise<Producer> {
  const p = kafka.producer({ ...producerOptions, retry: { retries } });
  await p.connect();
  t.defer(() => p.disconnect());
  return p;
}

/** A 1-partition topic whose replicas (first one the leader) are `replicas`, min.insync.replicas=2. */
function createOwnTopic(admin: Admin, topic: string, replicas: number[]): Promise<void> {
  const configEntries = [{ name: 'min.insync.replicas', value: '2' }];
  return createTopic(
    admin,
    { topic, replicaAssignment: [{ partition: 0, replicas }], configEntries },
    1,
  );
}

/** Every value in `topic` from offset 0 to the high watermark, by offset, read by a new group. */
async function readAll(t: StepContext, kafka: Kafka, admin: Admin, topic: string) {
  // Right after a leader change the answer can come from a broker that has not caught up yet
  // (a high watermark of 0, or none): the topic holds at least the records written before the
  // freeze and after the election, so wait for an end offset that counts them.
  const high = await waitFor(
    `the end offset of ${topic}`,
    async () => {
      const [end] = await admin.fetchTopicOffsets(topic);
      const h = Number(end?.high ?? 0);
      return h > 0 ? h : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  const consumer = kafka.consumer({ groupId: `${topic}_reader`, maxWaitTimeInMs: 100 });
  t.defer(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values = new Map<number, string>();
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.set(Number(message.offset), message.value?.toString() ?? '');
    },
  });
  await waitFor(`offsets 0–${high - 1} of ${topic}`, () =>
    values.size >= high ? true : undefined,
  );
  await consumer.disconnect();
  return [...values.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** The broker that leads partition 0 of `topic`, once it is not `old`. */
async function newLeader(admin: Admin, topic: string, old: number): Promise<number> {
  return waitFor(
    `a new leader for ${topic}`,
    async () => {
      const [p] = await partitionsOf(admin, topic);
      return p && p.leader >= 0 && p.leader !== old ? p.leader : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

/** Kafka's default replica.fetch.wait.max.ms: how long a follower's fetch waits at the leader. */
const REPLICA_FETCH_WAIT_MS = 500;

export const leaderCrashStep = step<Env>(
  {
    id: 'leader-crash',
    section: 'when-a-leader-dies',
    title: 'SIGKILL the leader: acknowledged acks=1 writes are lost, acks=all ones are not',
    needs: [],
  },
  async (t, env) => {
    const own = await ownCluster(t, env);
    const admin = await adminOf(t, own);
    const [leader, f1, f2] = own.ids as [number, number, number];
    const one = `${env.run}_crash_acks1`;
    const all = `${env.run}_crash_acksall`;
    for (const topic of [one, all]) await createOwnTopic(admin, topic, [leader, f1, f2]);
    // Separate connections: a broker handles one connection's requests in order, so an acks=all
    // request waiting for followers would hold back the acks=1 request behind it.
    const p1 = await producerOf(t, own.kafka, 0);
    const pAll = await producerOf(t, own.kafka, 0);
    const acked = { [one]: [] as string[], [all]: [] as string[] };
    const send = async (p: Producer, topic: string, acks: 1 | -1, value: string) => {
      await p.send({ topic, acks, timeout: 30_000, messages: [{ value }] });
      acked[topic]?.push(value);
    };
    for (const i of [1, 2, 3]) {
      await send(p1, one, 1, `before-${i}`);
      await send(pAll, all, -1, `before-${i}`);
    }
    // acks=1 returns once the leader alone has a record; the followers copy it a fetch later.
    // Under load that fetch could still be pending at the SIGSTOP below, and the "before" records
    // died with the leader too. The high watermark counts what every in-sync replica holds: at 3,
    // the followers have all three, and only the writes made while they are frozen are at risk.
    await waitFor(`the followers to copy the first 3 records of ${one}`, async () => {
      const [end] = await admin.fetchTopicOffsets(one);
      return Number(end?.high) >= 3 ? true : undefined;
    });
    t.say(
      `own cluster: brokers ${own.ids.join(', ')}; two topics, replicas [${leader}, ${f1}, ${f2}], ` +
        `leader ${leader}, min.insync.replicas=2; 3 records acknowledged on each`,
    );

    // Both followers fall behind (a GC pause, a slow disk): frozen for about 1.5 s, less
    // than broker.session.timeout.ms, so the controller never fences them.
    t.say(`SIGSTOP brokers ${f1} and ${f2}: the followers stop fetching`);
    own.pause(f1);
    own.pause(f2);
    let resumed = false;
    const resume = () => {
      if (resumed) return;
      resumed = true;
      own.resume(f1);
      own.resume(f2);
    };
    t.defer(resume);
    // A follower's fetch already waiting at the leader when it froze would be answered by the
    // next append (and reach the follower once it runs again). The leader answers such a fetch
    // empty after replica.fetch.wait.max.ms (500 ms by default), and a frozen follower sends no
    // other: once that has passed, what is appended exists on the leader alone. (Writing at once
    // let the first appends ride that answer: under load all 5 survived once.)
    await delay(REPLICA_FETCH_WAIT_MS + 500);
    const lagging = [1, 2, 3, 4, 5].map((i) => `lagging-${i}`);
    for (const value of lagging) await send(p1, one, 1, value);
    const pending = send(pAll, all, -1, 'lagging').then(
      () => 'acknowledged',
      (e: unknown) => `failed: ${rootCause(e).type ?? rootCause(e).name}`,
    );
    const settled = await Promise.race([pending, Promise.resolve('not acknowledged yet')]);
    t.check(
      'the leader alone acknowledged 5 acks=1 writes; an acks=all write was not acknowledged',
      lagging.every((v) => acked[one]?.includes(v)) && settled === 'not acknowledged yet',
      `acks=all: ${settled}`,
    );

    t.say(
      `SIGKILL broker ${leader} (the leader): no controlled shutdown; then SIGCONT ${f1}, ${f2}`,
    );
    const killedAt = performance.now();
    await own.kill(leader);
    resume();
    t.defer(() => own.restart(leader));
    const led = await newLeader(admin, one, leader);
    await newLeader(admin, all, leader);
    const ms = Math.round(performance.now() - killedAt);
    t.say(
      `broker ${led} leads both topics ${ms} ms after the kill (the controller fences a broker ` +
        'whose heartbeats stop after broker.session.timeout.ms, 4 s on these clusters)',
    );
    t.show('the acks=all write in flight when the leader died', await pending);
    // A new producer: the two above still hold metadata naming the dead broker as the leader.
    const pAfter = await producerOf(t, own.kafka, 5);
    for (const i of [1, 2]) {
      await send(pAfter, one, 1, `after-${i}`);
      await send(pAfter, all, -1, `after-${i}`);
    }
    t.waiting(
      `broker ${leader} to restart and rejoin the ISR (it truncates to the new leader's log)`,
    );
    await own.restart(leader);
    await waitFor(`broker ${leader} back in the ISR`, async () => {
      const parts = await Promise.all([one, all].map((topic) => partitionsOf(admin, topic)));
      return parts.every(([p]) => p?.isr.includes(leader)) ? true : undefined;
    });
    const lost = async (topic: string) => {
      const read = await readAll(t, own.kafka, admin, topic);
      t.show(`${topic.slice(env.run.length + 1)}, offsets 0–${read.length - 1}`, read.join(' '));
      return (acked[topic] ?? []).filter((v) => !read.includes(v));
    };
    const lostOne = await lost(one);
    t.check(
      `acks=1: writes the leader acknowledged while the followers lagged are gone after it was killed (${lostOne.length} of 5: ${lostOne.join(', ') || 'none'})`,
      lostOne.length > 0 && lostOne.every((v) => lagging.includes(v)),
    );
    t.equal(
      'acks=all with min.insync.replicas=2: every acknowledged write survives the kill',
      await lost(all),
      [],
    );
  },
);

export const twoDownStep = step<Env>(
  {
    id: 'two-down',
    section: 'when-a-leader-dies',
    title: 'Two of three combined nodes dead: the ISR cannot shrink, acks=all times out',
    needs: [],
  },
  async (t, env) => {
    const own = await ownCluster(t, env);
    const admin = await adminOf(t, own);
    const [survivor, a, b] = own.ids as [number, number, number];
    const topic = `${env.run}_twodown`;
    await createOwnTopic(admin, topic, [survivor, a, b]);
    const p = await producerOf(t, own.kafka, 0);
    await p.send({ topic, acks: -1, messages: [{ value: 'before' }] });
    const [lag] = await admin
      .describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: ConfigResourceTypes.BROKER,
            name: String(survivor),
            configNames: ['replica.lag.time.max.ms'],
          },
        ],
      })
      .then((r) => r.resources.map((x) => Number(x.configEntries[0]?.configValue)));
    const waitMs = (lag ?? 30_000) + 10_000;

    t.say(`SIGKILL brokers ${a} and ${b}: the controller quorum (2 of 3 voters) is gone too`);
    for (const id of [a, b]) {
      t.defer(() => own.restart(id));
      await own.kill(id);
    }
    t.waiting(
      `an acks=all write with a ${waitMs / 1000} s acks timeout (replica.lag.time.max.ms is ` +
        `${lag} ms: the leader would drop the dead followers from the ISR by then if it could)`,
    );
    const t0 = performance.now();
    const outcome = await p
      .send({ topic, acks: -1, timeout: waitMs, messages: [{ value: 'two-down' }] })
      .then(
        () => ({ type: 'acknowledged', code: 0 }),
        (e: unknown) => rootCause(e),
      );
    const took = (performance.now() - t0) / 1000;
    t.show('acks=all', `${outcome.type} (code ${outcome.code}) after ${took.toFixed(1)} s`);
    t.equal(
      'two of three combined nodes dead: acks=all fails with REQUEST_TIMED_OUT, not NOT_ENOUGH_REPLICAS',
      { type: outcome.type, code: outcome.code },
      { type: 'REQUEST_TIMED_OUT', code: 7 },
    );
    const [meta] = await partitionsOf(admin, topic);
    t.equal(
      `the leader still lists 3 in-sync replicas ${Math.round(took)} s later: no controller, no shrink`,
      [...(meta?.isr ?? [])].sort(),
      [...own.ids].sort(),
    );
    const one = await p.send({ topic, acks: 1, messages: [{ value: 'two-down-acks1' }] });
    t.check('acks=1 is still accepted by the lone leader', one[0]?.errorCode === 0);
  },
);
