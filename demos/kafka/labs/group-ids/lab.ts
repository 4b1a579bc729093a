// Lab: two services that share a consumer group by accident. The learner's consumerConfig() is
// called as each service's start would call it; the members are the demo's own Group members
// (each service with its own kafkajs client, its client id the learner's), settled as in step
// `assignment`, then email restarts as in step `offsets`: where does it resume?

import { pathToFileURL } from 'node:url';
import { defineLab } from '../../../kit/lab.ts';
import { createKafka } from '../../client.ts';
import { ensureTopic, group, producer, sendOnePerPartition } from '../../cluster.ts';
import type { Group, Member } from '../../group.ts';
import { labCluster } from '../../lab-cluster.ts';
import { waitCommitted } from '../../offsets.ts';
import { keyPerPartition } from '../../partitioners.ts';

type Service = 'billing' | 'email';
type ConsumerConfig = (service: Service) => { groupId?: unknown; clientId?: unknown };

export const lab = defineLab(import.meta.url, {
  id: 'group-ids',
  title: 'Half the receipts',
  task: 'Since the email service went live, billing and email each get only some of the orders: make consumers.ts give both services every order, and let each resume where it stopped.',
  section: 'consumer-groups',
  files: ['consumers.ts'],
  needs: ['kafka'],
  startFails: 'billing and email each read all 6 orders',
  check: async (t, dir) => {
    const mod = (await import(pathToFileURL(`${dir}/consumers.ts`).href)) as {
      consumerConfig?: ConsumerConfig;
    };
    const consumerConfig = mod.consumerConfig;
    if (typeof consumerConfig !== 'function')
      throw new Error('consumers.ts must export the function consumerConfig(service)');
    const env = await labCluster(t);
    const topic = await ensureTopic(env, 'orders', { partitions: 3 });
    const groups = new Map<string, Group>();
    /** A service starting: its config, its own client, a member of the group it names. */
    const start = async (service: Service, name: string = service) => {
      const { groupId, clientId } = consumerConfig(service);
      if (typeof groupId !== 'string' || !groupId)
        throw new Error(`consumerConfig('${service}') must return a groupId string`);
      const kafka = createKafka(typeof clientId === 'string' && clientId ? clientId : env.run);
      let g = groups.get(groupId);
      if (!g) {
        g = group(t, env, groupId, topic, 3);
        groups.set(groupId, g);
      }
      return { groupId, g, member: await g.add(name, { kafka }) };
    };
    // Both services start at once, as after a deploy.
    const [billing, email] = await Promise.all([start('billing'), start('email')]);
    const started = [billing, email];
    for (const g of new Set(started.map((s) => s.g))) await g.settle(new Map());
    t.table(
      ['service', 'group id', 'partitions'],
      started.map((s) => [s.member.name, s.groupId, s.member.partitions.join(', ')]),
    );

    const p = await producer(t, env);
    const keys = keyPerPartition(3, 'order');
    for (const v of ['1', '2']) await sendOnePerPartition(p, topic, keys, `order ${v}`);
    // Each member has read every record of the partitions it owns: all it will ever get.
    for (const s of started)
      await s.g.until(
        `${s.member.name} to read its partitions`,
        () => s.g.distinct(s.member).length >= 2 * s.member.partitions.length,
      );
    const readBy = (s: { g: Group; member: Member }) => s.g.distinct(s.member).length;
    const ok = t.check(
      'billing and email each read all 6 orders',
      readBy(billing) === 6 && readBy(email) === 6,
      started
        .map(
          (s) =>
            `${s.member.name} (group ${s.groupId}, partitions ${s.member.partitions.join(',')}) read ${readBy(s)}`,
        )
        .join('; '),
    );
    if (!ok) return;

    await waitCommitted(env, email.g.groupId, topic);
    await email.g.remove(email.member);
    await sendOnePerPartition(p, topic, keys, 'order 3');
    const again = await start('email', 'email (restarted)');
    await again.g.until(
      'the restarted email service to read 3 orders',
      () => again.g.distinct(again.member).length >= 3,
    );
    const values = again.g.distinct(again.member).map((r) => r.value);
    t.show('the restarted email service read', values.join(', '));
    t.check(
      'the restarted email service resumes where it stopped: it reads the 3 new orders and none it already sent',
      values.every((v) => v === 'order 3'),
      `it read ${values.join(', ')} (group ${again.groupId}, was ${email.groupId})`,
    );
  },
  hints: [
    {
      claim: 'billing and email each read all 6 orders',
      ladder: [
        'Billing and email split the orders between them: the ✗ line shows the group id and the partitions of each service.',
        'Consumers that share a group.id are one consumer group, and a group reads each partition once: the coordinator gives every partition to exactly one member (notes/kafka.md, "Consumer groups"). The client id only names a connection in logs and quotas; it plays no part in the assignment.',
        'Two services that each need every record are two groups: give each service a group id of its own.',
      ],
    },
    {
      claim: 'the restarted email service resumes where it stopped',
      ladder: [
        'After a restart the email service read orders it had already sent receipts for.',
        'A group resumes from the offsets it committed; a group id the coordinator has never seen has no committed offsets, so it starts where fromBeginning (auto.offset.reset) says: the beginning (notes/kafka.md, "Committed offsets").',
        'The group id must be the same at every start of a service: a fixed name per service, not one made up at start-up.',
      ],
    },
  ],
  wrong: [
    {
      case: 'client-id',
      fails: 'billing and email each read all 6 orders',
      why: 'the client id names a connection; both services are still one group, splitting the partitions',
    },
    {
      case: 'per-start',
      fails: 'the restarted email service resumes where it stopped',
      why: 'a group id made up at each start has no committed offsets, so every restart reads from the beginning again',
    },
  ],
});
