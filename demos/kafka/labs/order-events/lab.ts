// Lab: an order's events read out of order. The learner's record mapping is sent with the demo's
// own producer to a topic of this run (3 partitions, RF 3), each send awaited as in step
// `ordering`; the partition of every record comes from the broker's acknowledgement, and a group
// member of the demo's Group reads them back.

import { pathToFileURL } from 'node:url';
import type { Message } from 'kafkajs';
import { defineLab } from '../../../kit/lab.ts';
import { ensureTopic, group, producer } from '../../cluster.ts';
import { labCluster } from '../../lab-cluster.ts';

interface OrderEvent {
  eventId: string;
  orderId: string;
  type: 'created' | 'paid' | 'shipped';
  at: number;
}

const TYPES = ['created', 'paid', 'shipped'] as const;
/**
 * Keyed by their id, these land on partitions 0, 1, 2, 0, 1 (murmur2 % 3). Five, not six: with a
 * multiple of 3 orders, round-robin over 3 partitions would put each order's events together.
 */
const ORDERS = ['order-1001', 'order-1003', 'order-1009', 'order-1002', 'order-1006'];

/** The service's events as it emits them: every order created, then every order paid, … */
function emitted(): OrderEvent[] {
  const start = Date.UTC(2026, 0, 5, 9);
  return TYPES.flatMap((type, round) =>
    ORDERS.map((orderId, i) => ({
      eventId: `evt-${round * ORDERS.length + i + 1}`,
      orderId,
      type,
      at: start + (round * ORDERS.length + i) * 1000,
    })),
  );
}

function parsed(value: string): Partial<OrderEvent> {
  try {
    return JSON.parse(value) as Partial<OrderEvent>;
  } catch {
    return {};
  }
}

export const lab = defineLab(import.meta.url, {
  id: 'order-events',
  title: 'Shipped before paid',
  task: 'Consumers see some orders "shipped" before "paid": make events.ts send each order\'s events so they are read in the order they happened.',
  section: 'ordering-is-per-partition',
  files: ['events.ts'],
  needs: ['kafka'],
  startFails: 'every event of an order went to the same partition',
  check: async (t, dir) => {
    const mod = (await import(pathToFileURL(`${dir}/events.ts`).href)) as {
      toRecord?: (e: OrderEvent) => Message;
    };
    const toRecord = mod.toRecord;
    if (typeof toRecord !== 'function')
      throw new Error('events.ts must export the function toRecord(event)');
    const env = await labCluster(t);
    const topic = await ensureTopic(env, 'orders', { partitions: 3 });
    const p = await producer(t, env);
    const events = emitted();
    const partitionOf = new Map<string, number[]>();
    for (const e of events) {
      const [meta] = await p.send({ topic, acks: -1, messages: [toRecord(e)] });
      partitionOf.set(e.orderId, [...(partitionOf.get(e.orderId) ?? []), meta?.partition ?? -1]);
    }
    t.table(
      ['order', 'partition of created, paid, shipped'],
      ORDERS.map((o) => [o, (partitionOf.get(o) ?? []).join(', ')]),
    );
    t.check(
      'every event of an order went to the same partition',
      ORDERS.every((o) => new Set(partitionOf.get(o)).size === 1),
      ORDERS.map((o) => `${o}: ${partitionOf.get(o)?.join(',')}`).join('; '),
    );
    const used = new Set([...partitionOf.values()].flat());
    t.check(
      "the orders are spread over the topic's partitions, not all in one (the group's 3 consumers share them)",
      used.size > 1,
      `every record went to partition ${[...used].join(', ')}`,
    );
    const g = group(t, env, 'orders', topic, 3);
    await g.add('reader');
    const read = await g.receivedAtLeast(events.length);
    const seen = (o: string) =>
      read
        .map((r) => parsed(r.value))
        .filter((e) => e.orderId === o)
        .map((e) => e.type);
    t.check(
      "a consumer reads each order's events in the order they happened: created, paid, shipped",
      ORDERS.every((o) => seen(o).join() === TYPES.join()),
      ORDERS.map((o) => `${o}: ${seen(o).join(' → ')}`).join('; '),
    );
  },
  hints: [
    {
      claim: 'every event of an order went to the same partition',
      ladder: [
        "The events of one order landed in different partitions: the ✗ line lists the partition of each order's created, paid and shipped.",
        'Kafka orders records within a partition only; across partitions a consumer interleaves them however its fetches return (notes/kafka.md, "Ordering is per partition").',
        "The producer's partitioner picks the partition from the record's key: murmur2(key) % partitions (the Java client and kafkajs's DefaultPartitioner). A record without a key is spread round-robin; a key that differs per event (an event id, a timestamp) spreads them just the same.",
        'Give every event of an order the same key: the order id.',
      ],
    },
    {
      claim: "the orders are spread over the topic's partitions",
      ladder: [
        'Every order went to one partition: they are in order now, but only one consumer of the group has any work.',
        'A partition is read by one member of a group at a time, so one partition means one consumer, whatever the group size (notes/kafka.md, "More members than partitions").',
        'Do not pin the partition: key by the order id, and orders spread over the partitions while each order stays in one.',
      ],
    },
    {
      claim: "a consumer reads each order's events in the order they happened",
      ladder: [
        "The consumer did not read some order's events as created, paid, shipped: is the event still the record's value, as JSON?",
      ],
    },
  ],
  wrong: [
    {
      case: 'event-id',
      fails: 'every event of an order went to the same partition',
      why: 'the event id is unique per event, so the key spreads one order over the partitions as no key does',
    },
    {
      case: 'one-partition',
      fails: "the orders are spread over the topic's partitions",
      why: 'one partition keeps the order but gives the whole group one consumer',
    },
  ],
});
