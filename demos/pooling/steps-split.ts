// Seed 000's question: can PgBouncer split writes and reads? It pools per [databases] entry and
// never looks inside a statement, so a write sent to the entry that leads to a standby reaches
// the standby and fails there. The application decides where each statement goes.

import { step } from '../kit/define.ts';
import { createCluster } from '../kit/pg-cluster.ts';
import { type Env, TABLE } from './env.ts';

export const splitStep = step<Env>(
  {
    id: 'rw-split',
    section: 'splitting-reads-from-writes',
    title: 'PgBouncer does not route by statement: one pool per database entry',
  },
  async (t, env) => {
    t.waiting('pg_basebackup -R: a streaming standby of the cluster on another free port');
    const standby = await createCluster({
      topic: 'pooling',
      copyOf: { cluster: env.cluster, standby: true },
    });
    t.defer(() => standby.remove());
    const split = [
      ...env.pools,
      { name: 'app_rw', port: env.cluster.port },
      { name: 'app_ro', port: standby.port },
    ];
    await env.bouncer.setEntries(split);
    t.defer(() => env.bouncer.setEntries(env.pools));
    const dbs = await env.bouncer.admin<{ name: string; host: string; port: number }>(
      'SHOW DATABASES',
    );
    t.table(
      ['[databases] entry', 'leads to'],
      dbs.filter((d) => d.name.startsWith('app_')).map((d) => [d.name, `${d.host}:${d.port}`]),
    );
    const rw = await env.bouncer.client('app_rw');
    const ro = await env.bouncer.client('app_ro');
    t.defer(() => Promise.all([rw.end(), ro.end()]));
    const recovery = async (c: typeof rw) =>
      (await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]?.r;
    const write = `INSERT INTO ${TABLE} VALUES (1)`;
    const onRo = await ro.query(write).then(
      () => 'inserted',
      (err: { code?: string; message: string }) => `${err.code} ${err.message}`,
    );
    const onRw = await rw.query(write).then(
      () => 'inserted',
      (err: { code?: string; message: string }) => `${err.code} ${err.message}`,
    );
    t.table(
      ['entry', 'pg_is_in_recovery()', write],
      [
        ['app_rw', await recovery(rw), onRw],
        ['app_ro', await recovery(ro), onRo],
      ],
    );
    t.equal(
      'a write sent to app_ro is not rerouted: it reaches the standby and fails there with 25006',
      onRo,
      '25006 cannot execute INSERT in a read-only transaction',
    );
    t.equal('the same write on app_rw (the primary) succeeds', onRw, 'inserted');
  },
);
