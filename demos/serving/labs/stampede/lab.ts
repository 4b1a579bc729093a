// Lab: a cache stampede on a hot product. The learner's handler runs under Debian's uvicorn
// (lab_app.py) with a redis-server of the check's own, in front of the catalogue the stampede step
// uses (catalogue.py: counted per round, answering only once every request of the round has
// missed, so the count does not depend on timing); the claims are that step's, for N at once.

import { defineLab } from '../../../kit/lab.ts';
import { burst, getJson, type Reply } from '../../client.ts';
import { labApp } from '../../lab-app.ts';

const N = 20;
const PID = 7;

/** The product as the app answered it, or undefined when the answer was not it. */
function product(r: Reply): number | undefined {
  try {
    return r.status === 200 ? (JSON.parse(r.body) as { id?: number }).id : undefined;
  } catch {
    return undefined;
  }
}

export const lab = defineLab(import.meta.url, {
  id: 'stampede',
  title: 'The catalogue goes down at peak',
  task: 'Whenever a hot product is missing from Redis at peak time, every request in flight calls the catalogue and it falls over: make product.py call it once.',
  section: 'a-stampede-when-a-hot-key-expires',
  files: ['product.py'],
  needs: ['fastapi', 'redis-server'],
  startFails: `${N} requests at once for a product missing from Redis make 1 catalogue call`,
  check: async (t, dir) => {
    const { api } = await labApp(t, `${dir}/product.py`, { redis: true });
    const round = async (name: string) => {
      const replies = await burst(`${api.url}/product/${PID}`, N, {
        'x-round': name,
        'x-expect': String(N),
      });
      const { calls } = await getJson<{ calls: number }>(`${api.url}/db-calls?round=${name}`);
      return { replies, calls, got: replies.filter((r) => product(r) === PID).length };
    };
    const cold = await round('missing');
    const warm = await round('cached');
    t.table(
      ['requests at once', 'answered with the product', 'catalogue calls'],
      [
        [`${N}, product not in Redis`, cold.got, cold.calls],
        [`${N} more, right after`, warm.got, warm.calls],
      ],
    );
    t.equal(`all ${N} requests got the product`, cold.got, N);
    t.equal(
      `${N} requests at once for a product missing from Redis make 1 catalogue call`,
      cold.calls,
      1,
    );
    t.check(
      `the next ${N} requests are answered from Redis: no catalogue call`,
      warm.got === N && warm.calls === 0,
      `${warm.got} got the product; ${warm.calls} catalogue calls`,
    );
  },
  hints: [
    {
      claim: `${N} requests at once for a product missing from Redis make 1 catalogue call`,
      ladder: [
        'Every request that found the product missing called the catalogue itself (the ✗ line has the count): a stampede.',
        'Cache-aside lets each miss fill the cache, and N requests that miss at the same moment make N calls. An entry that never expires does not help: it still starts missing after a restart, a flush or an eviction (notes/serving.md, "A stampede when a hot key expires").',
        'Let one request make the call and the others wait for its result: in one process, one asyncio task per key that the others await; across processes, a Redis lock (SET lock:<key> <token> NX PX 2000) whose losers poll the cache.',
      ],
    },
    {
      claim: `all ${N} requests got the product`,
      ladder: [
        'Some requests did not get the product (an error, a 503): the catalogue was spared, but the customers were not.',
        "The requests that lose the race for the catalogue call should wait for the winner's result (await its task, or poll the cache until it is filled), not fail.",
      ],
    },
    {
      claim: `the next ${N} requests are answered from Redis`,
      ladder: [
        'Right after the first round, the product was still not served from Redis: is the value still written to the cache (cache.set) after the catalogue call?',
      ],
    },
  ],
  wrong: [
    {
      case: 'no-ttl',
      fails: `${N} requests at once for a product missing from Redis make 1 catalogue call`,
      why: 'an entry that never expires still starts missing (a deploy, a flush, an eviction), and then every request calls the catalogue',
    },
    {
      case: 'others-503',
      fails: `all ${N} requests got the product`,
      why: 'failing the requests that lose the lock spares the catalogue by failing the customers',
    },
  ],
});
