// A broker goes down. Leadership moves within the ISR, acknowledged records survive,
// and min.insync.replicas decides whether acks=all writes are still accepted.

import kafkajs, { type Kafka, type PartitionMetadata } from 'kafkajs';
import { startNode, stopNode } from '../../services/api.ts';
import type { StepContext } from '../kit/define.ts';
import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import { waitFor } from '../kit/wait.ts';
import { coordinatorOf, partitionsOf } from './client.ts';
import { brokerIds, ensureTopic, group, name, producer, useCluster } from './cluster.ts';
import type { Env } from './env.ts';
import { offsetRange } from './offsets.ts';
import { HW_WAITS_FOR_MIN_ISR } from './versions.ts';

// kafkajs is CommonJS; Node's named-export detection misses ConfigResourceTypes.
const { ConfigResourceTypes } = kafkajs;
const sortNum = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** Partition → its ISR (the leader marked *), as one state of an assignment figure. */
function isrState(label: string, parts: PartitionMetadata[]) {
  const map: Record<string, string[]> = {};
  for (const p of parts) {
    map[`partition ${p.partitionId}`] = sortNum(p.isr).map((b) =>
      b === p.leader ? `${b}*` : `${b}`,
    );
  }
  return { label, map };
}

function isrFigure(t: StepContext, states: ReturnType<typeof isrState>[]): void {
  t.figure({
    kind: 'assignment',
    title: 'in-sync replicas per partition (* = leader)',
    keyLabel: 'partition',
    valueLabel: 'ISR',
    states,
  });
}

/**
 * `startNode`, tolerant of a concurrent start of the same node (another `npm run services -- up`
 * on the shared cluster): if our start fails but the broker shows up anyway, that is enough;
 * otherwise one more attempt.
 */
async function startAgain(env: Env, id: number): Promise<void> {
  try {
    await startNode(`kafka-${id}`);
  } catch (first) {
    const back = await waitFor(
      `broker ${id} in the cluster metadata`,
      async () => ((await brokerIds(env)).includes(id) ? true : undefined),
      { timeoutMs: 15_000, intervalMs: 250 },
    ).catch(() => false);
    if (back) return;
    try {
      await startNode(`kafka-${id}`);
    } catch {
      throw first;
    }
  }
}

/**
 * Stops broker `id`, and registers the restart with t.defer so the cluster is whole again
 * even when the step fails: the node is started and every partition of `topics` gets it
 * back in its ISR. Returns a function that does the same early (idempotent).
 */
async function stopBroker(t: StepContext, env: Env, id: number, topics: string[]) {
  let restored: Promise<void> | undefined;
  const restore = () => {
    restored ??= (async () => {
      await startAgain(env, id);
      for (const topic of topics) {
        await waitFor(
          `broker ${id} back in the ISR of ${topic}`,
          async () => {
            const parts = await partitionsOf(env.admin, topic);
            return parts.every((p) => p.isr.includes(id)) ? true : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 200 },
        );
      }
    })();
    return restored;
  };
  t.defer(restore);
  t.waiting(`npm run services -- stop kafka-${id} (SIGTERM: controlled shutdown)`);
  await stopNode(`kafka-${id}`);
  return restore;
}

/** The group id (base, base-1, …) whose coordinator is not `avoid`: it must survive the stop. */
async function groupAvoiding(env: Env, base: string, avoid: number): Promise<string> {
  for (let i = 0; ; i++) {
    const id = i ? `${base}-${i}` : base;
    if ((await coordinatorOf(env.admin, name(env, id))) !== avoid) return id;
  }
}

/**
 * The broker a step may stop (the first that is not the group coordinator, which kafkajs
 * recovers from poorly), the coordinator, and the brokers that stay up.
 */
async function stoppable(
  env: Env,
): Promise<{ coordinator: number; victim: number; others: number[] }> {
  // FindCoordinator creates __consumer_offsets; only then can its leader be looked up.
  await waitFor('the group coordinator', () => env.admin.describeGroups([name(env, 'probe')]));
  const brokers = await brokerIds(env);
  const coordinator = await coordinatorOf(env.admin, name(env, 'probe'));
  const victim = brokers.find((b) => b !== coordinator) as number;
  return { coordinator, victim, others: brokers.filter((b) => b !== victim) };
}

export const failoverStep = step<Env>(
  {
    id: 'failover',
    section: 'replication-and-failover',
    title: 'Stop the leader: an ISR replica takes over, no acknowledged record is lost',
    needs: [],
  },
  async (t, env) => {
    await useCluster(t, env, 'exclusive');
    const { coordinator, victim, others } = await stoppable(env);
    // Partition 0 is led by the broker we will stop; the group coordinator stays up.
    const topic = await ensureTopic(env, 'failover', {
      assignment: [
        [victim, ...others],
        [others[0] as number, victim, others[1] as number],
        [others[1] as number, others[0] as number, victim],
      ],
    });
    const before = await partitionsOf(env.admin, topic);
    t.say(`the group coordinator is broker ${coordinator}; partition 0's leader is ${victim}`);

    const p = await producer(t, env);
    const acked: string[] = [];
    const write = async (tag: string) => {
      for (const partition of [0, 1, 2]) {
        const values = [1, 2, 3, 4, 5].map((i) => `${tag}-${partition}-${i}`);
        await p.send({ topic, acks: -1, messages: values.map((value) => ({ partition, value })) });
        acked.push(...values.map((v) => `${partition}/${v}`));
      }
    };
    await write('before');
    t.say(`${acked.length} records acknowledged with acks=all (-1)`);

    const restore = await stopBroker(t, env, victim, [topic]);
    t.waiting(`a new leader for partition 0 and broker ${victim} out of its ISR`);
    const during = await waitFor(
      'leader election',
      async () => {
        const parts = await partitionsOf(env.admin, topic);
        const p0 = parts[0];
        return p0 && p0.leader >= 0 && p0.leader !== victim && !p0.isr.includes(victim)
          ? parts
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const p0 = during[0] as PartitionMetadata;
    t.check(
      `partition 0 has a new leader (${p0.leader}), taken from its previous ISR`,
      p0.leader !== victim && (before[0]?.isr ?? []).includes(p0.leader),
    );
    t.check(
      `broker ${victim} is out of every ISR; each partition keeps 2 in-sync replicas`,
      during.every((x) => !x.isr.includes(victim) && x.isr.length === 2),
    );
    const countBefore = acked.length;
    await write('during');
    t.check(
      'acks=all writes still succeed with 2 of 3 replicas in sync (min.insync.replicas=2)',
      acked.length === countBefore * 2,
    );

    const groupId = await groupAvoiding(env, 'failover', victim);
    const g = group(t, env, groupId, topic, 3);
    await g.add('reader');
    t.waiting(`a reader (coordinator ≠ broker ${victim}) to read all ${acked.length} records`);
    const read = await g.receivedAtLeast(acked.length);
    const seen = new Set(read.map((r) => `${r.partition}/${r.value}`));
    const missing = acked.filter((a) => !seen.has(a));
    t.equal('every acknowledged record is readable after the failover', missing, []);

    // Close the reader before the broker returns: a kafkajs consumer whose broker list changes
    // while it is stopping can spin in its fetch loop and never finish disconnecting.
    await g.close();
    await restore();
    const after = await partitionsOf(env.admin, topic);
    t.say(`npm run services -- start kafka-${victim}; it catches up and rejoins the ISR`);
    isrFigure(t, [
      isrState('before', before),
      isrState(`broker ${victim} stopped`, during),
      isrState(`broker ${victim} back`, after),
    ]);
    t.check(
      `broker ${victim} is back in the ISR of every partition`,
      after.every((x) => x.isr.includes(victim) && x.isr.length === 3),
    );
  },
);

/** The Kafka error under kafkajs's wrappers (retries, connection errors): type, code, name. */
export function rootCause(err: unknown): { type?: string; code?: number; name?: string } {
  let e = err as {
    type?: string;
    code?: number;
    name?: string;
    cause?: unknown;
    originalError?: unknown;
  };
  for (let i = 0; i < 5 && e && !e.type; i++) {
    const next = e.originalError ?? e.cause;
    if (!next) break;
    e = next as typeof e;
  }
  return e ?? {};
}

async function sendOnce(kafka: Kafka, topic: string, acks: -1 | 1, value: string) {
  const p = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await p.connect();
  try {
    return await p.send({ topic, acks, timeout: 5000, messages: [{ value }] });
  } finally {
    await p.disconnect();
  }
}

export const minIsrStep = step<Env>(
  {
    id: 'min-isr',
    section: 'acks-and-mininsyncreplicas',
    title: 'acks=all needs min.insync.replicas copies; acks=1 only the leader',
    needs: [],
  },
  async (t, env) => {
    await useCluster(t, env, 'exclusive');
    const { coordinator: leader, victim: follower, others } = await stoppable(env);
    const third = others.find((b) => b !== leader) as number;
    const topic = await ensureTopic(env, 'minisr', {
      assignment: [[leader, follower, third]],
      config: { 'min.insync.replicas': '2' },
    });
    const [initial] = await partitionsOf(env.admin, topic);
    const restore = await stopBroker(t, env, follower, [topic]);
    const shrunk = await waitFor(
      `broker ${follower} out of the ISR`,
      async () => {
        const [p] = await partitionsOf(env.admin, topic);
        return p && !p.isr.includes(follower) ? p : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const ok = await sendOnce(env.kafka, topic, -1, 'isr-2-min-2');
    t.check('RF 3, min.insync.replicas=2, ISR of 2: acks=all is accepted', ok[0]?.errorCode === 0);

    await env.admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{ name: 'min.insync.replicas', value: '3' }],
        },
      ],
    });
    t.say('alterConfigs: min.insync.replicas=3 on the topic (ISR is still 2)');
    // The leader applies the change when it arrives through the metadata log: retry briefly.
    let accepted = 0;
    let timedOut = 0;
    const err = await waitFor('the leader to apply min.insync.replicas=3', async () => {
      try {
        await sendOnce(env.kafka, topic, -1, `probe-${accepted}`);
        accepted++;
        return undefined;
      } catch (e) {
        // Appended before the change, then held by it: the ISR never acknowledges in time.
        if (rootCause(e).type !== 'REQUEST_TIMED_OUT') return e;
        timedOut++;
        return undefined;
      }
    });
    if (accepted || timedOut) {
      t.say(
        `before the leader applied the change: ${accepted} acks=all write(s) accepted, ` +
          `${timedOut} timed out waiting for the ISR`,
      );
    }
    const cause = rootCause(err);
    t.show('acks=all rejected with', `${cause.type} (code ${cause.code}), ${cause.name}`);
    t.equal(
      'acks=all now fails: NOT_ENOUGH_REPLICAS, error code 19',
      { type: cause.type, code: cause.code },
      { type: 'NOT_ENOUGH_REPLICAS', code: 19 },
    );
    // The high watermark: what consumers may read. With Eligible Leader Replicas (KIP-966) it
    // does not advance while the ISR is below min.insync.replicas, whatever acks a write used;
    // the refusal above shows the leader applies the minimum of 3 from here on.
    const [hw] = await offsetRange(env, topic);
    const one = await sendOnce(env.kafka, topic, 1, 'acks-1');
    t.check('acks=1 is still accepted: only the leader must write it', one[0]?.errorCode === 0);
    const x = Number(one[0]?.baseOffset);
    const [stuck] = await offsetRange(env, topic);
    const below = hw?.high ?? 0;
    const g = group(t, env, 'hw', topic, 1);
    const reader = await g.add('reader');
    t.waiting(`a reader from offset 0 to read the ${below} record(s) below the high watermark`);
    await g.until(`offsets below ${below}`, () => g.distinct(reader).length >= below);
    const readBefore = g.distinct(reader).map((r) => r.offset);
    const fact = expectedFor(HW_WAITS_FOR_MIN_ISR, env.version ?? 'unknown');
    t.table(
      ['partition 0, ISR of 2 < min.insync.replicas=3', 'offset'],
      [
        ['high watermark before the acks=1 write', below],
        ['the acks=1 record', x],
        ['high watermark after it (ListOffsets)', stuck?.high],
        ['read by a consumer from offset 0', readBefore.length ? `0–${readBefore.at(-1)}` : '—'],
      ],
    );
    t.equal(
      `${fact.when}: ${HW_WAITS_FOR_MIN_ISR.fact}? ${fact.value}`,
      stuck?.high === below && x >= below
        ? 'no: the high watermark stays below it'
        : 'yes: the high watermark passed it',
      fact.value,
    );
    t.check(
      `the reader got every record below the high watermark and not offset ${x}`,
      readBefore.length === below && !readBefore.includes(x),
    );
    // As in failover: no member of ours is stopping while the broker comes back.
    await g.remove(reader);

    await restore();
    const [back] = await partitionsOf(env.admin, topic);
    isrFigure(t, [
      isrState('before', initial ? [initial] : []),
      isrState(`broker ${follower} stopped`, [shrunk]),
      isrState(`broker ${follower} back`, back ? [back] : []),
    ]);
    const again = await g.add('after');
    await g.until(`offset ${x} to be read`, () => g.distinct(again).some((r) => r.offset === x));
    const [moved] = await offsetRange(env, topic);
    t.check(
      `with broker ${follower} back (ISR 3 = min.insync.replicas) the high watermark passes ` +
        `offset ${x} and it is read`,
      (moved?.high ?? 0) > x && g.distinct(again).some((r) => r.offset === x),
    );
  },
);
