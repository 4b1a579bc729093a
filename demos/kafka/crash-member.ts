// One consumer-group member in a process of its own, so that a step can kill it the way a crash
// does: SIGKILL, so no LeaveGroup is sent and nothing more is committed. It commits by hand after
// every second record of a partition (kafkajs's auto-commit would commit after every batch), so
// a kill after an odd record leaves that one processed but not committed.
// Run by member-process.ts: `node --import tsx crash-member.ts <group> <topic> <session ms>`.
// Prints one JSON line per event: {"joined":[partitions]}, {"read":{partition,offset,value}} and
// {"committed":{partition,offset}}.
// It exits when its parent goes (stdin closes), so an interrupted run leaves no member behind.

import { consumerOptions, createKafka } from './client.ts';

const [groupId, topic, session] = process.argv.slice(2);
if (!groupId || !topic || !/^\d+$/.test(session ?? '')) {
  process.stderr.write('usage: crash-member.ts <group id> <topic> <session timeout ms>\n');
  process.exit(2);
}

const out = (event: unknown) => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));

const consumer = createKafka(`${groupId}-crash-member`).consumer(
  consumerOptions(groupId, Number(session)),
);
consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
  out({ joined: [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b) }),
);
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
const processed = new Map<number, number>();
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ partition, message }) => {
    const offset = Number(message.offset);
    out({ read: { partition, offset, value: message.value?.toString() } });
    const n = (processed.get(partition) ?? 0) + 1;
    processed.set(partition, n);
    if (n % 2 === 0) {
      await consumer.commitOffsets([{ topic, partition, offset: String(offset + 1) }]);
      out({ committed: { partition, offset: offset + 1 } });
    }
  },
});
