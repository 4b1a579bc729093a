// What the steps share: one kafkajs client and admin, this run's name (every topic and group the
// run creates starts with it), and the topics and groups to delete at the end. Opening also
// sweeps what dead runs left behind on the shared cluster.

import type { Admin, Kafka } from 'kafkajs';
import { withLease } from '../../services/lease.ts';
import type { SetupInfo } from '../kit/define.ts';
import { isStale, runName } from '../kit/names.ts';
import { brokerVersion } from './broker-version.ts';
import { checkKafka, createKafka } from './client.ts';
import { type OwnCluster, sweepOwnClusters } from './own-cluster.ts';

export interface Env {
  kafka: Kafka;
  admin: Admin;
  /** `runName('kafka')`: each topic and group of this run is `<run>_<what>`. */
  run: string;
  /** The brokers' Kafka version (their core jar), when this machine runs them. */
  version: string | undefined;
  topics: Set<string>;
  groups: Set<string>;
  /** Leftovers of dead runs removed when the run opened, told by the first step that runs. */
  swept: { topics: string[]; groups: string[]; clusters: number; told: boolean };
  /** The cluster of this run's own that the crash steps kill brokers of, once one started it. */
  own?: Promise<OwnCluster>;
}

export async function openEnv(info: SetupInfo): Promise<Env> {
  const version = brokerVersion();
  if (version) info.uses('kafka', version);
  const run = runName('kafka');
  const kafka = createKafka(run);
  const admin = kafka.admin();
  // Shared, like every step: another run's failover must not stop a broker under the sweep.
  return withLease('kafka', async () => {
    await checkKafka();
    await admin.connect();
    try {
      const swept = await sweep(admin);
      return {
        kafka,
        admin,
        run,
        version,
        topics: new Set<string>(),
        groups: new Set<string>(),
        swept,
      };
    } catch (err) {
      await admin.disconnect();
      throw err;
    }
  });
}

/** Deletes the topics and groups of dead runs (isStale); a group still in use is left alone. */
async function sweep(admin: Admin): Promise<Env['swept']> {
  const stale = (n: string) => isStale(n, 'kafka');
  const topics = (await admin.listTopics()).filter(stale);
  if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
  const { groups: listed } = await admin.listGroups();
  const candidates = listed.map((g) => g.groupId).filter(stale);
  const groups = candidates.length ? await deleteEmptyGroups(admin, candidates) : [];
  const clusters = await sweepOwnClusters();
  return { topics, groups, clusters, told: false };
}

/** deleteGroups, returning the ids it deleted (one with live members answers an error). */
async function deleteEmptyGroups(admin: Admin, ids: string[]): Promise<string[]> {
  try {
    await admin.deleteGroups(ids);
    return ids;
  } catch (err) {
    const failed = (err as { groups?: { groupId: string; errorCode: number }[] }).groups ?? [];
    if (!failed.length) throw err;
    const kept = new Set(failed.filter((g) => g.errorCode !== 0).map((g) => g.groupId));
    return ids.filter((id) => !kept.has(id));
  }
}

export async function closeEnv(env: Env): Promise<void> {
  try {
    // A start that failed has already stopped what it started.
    await (await env.own?.catch(() => undefined))?.close();
    if (env.groups.size) {
      // Only groups that exist can be deleted; a step that failed early may not have made its own.
      const { groups } = await env.admin.listGroups();
      const ours = groups.map((g) => g.groupId).filter((g) => env.groups.has(g));
      if (ours.length) await deleteEmptyGroups(env.admin, ours);
    }
    if (env.topics.size) await env.admin.deleteTopics({ topics: [...env.topics], timeout: 10_000 });
  } finally {
    await env.admin.disconnect();
  }
}
