// A group's committed offsets and a topic's offset range, per partition, as numbers.

import { waitFor } from '../kit/wait.ts';
import type { Env } from './env.ts';

/** fetchOffsets: the next offset the group will read, per partition (-1: nothing committed). */
export async function committedOffsets(
  env: Env,
  groupId: string,
  topic: string,
): Promise<number[]> {
  const [t] = await env.admin.fetchOffsets({ groupId, topics: [topic] });
  return (t?.partitions ?? [])
    .sort((a, b) => a.partition - b.partition)
    .map((p) => Number(p.offset));
}

/** ListOffsets per partition: `low` is the log start offset, `high` the high watermark. */
export async function offsetRange(
  env: Env,
  topic: string,
): Promise<{ low: number; high: number }[]> {
  return (await env.admin.fetchTopicOffsets(topic))
    .sort((a, b) => a.partition - b.partition)
    .map((o) => ({ low: Number(o.low), high: Number(o.high) }));
}

/** Waits until the group has committed up to the end of every partition; returns its offsets. */
export async function waitCommitted(env: Env, groupId: string, topic: string): Promise<number[]> {
  const end = (await offsetRange(env, topic)).map((r) => r.high);
  return waitFor(`${groupId} to commit up to ${end.join(',')}`, async () => {
    const c = await committedOffsets(env, groupId, topic);
    return c.join() === end.join() ? c : undefined;
  });
}
