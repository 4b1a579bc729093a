// Lab: a PUT that creates a new item on every call, so each retry of a lost response leaves a
// duplicate. Decided as the safe-and-idempotent step observes it: the method called twice with
// the collection read around each call (idempotence.ts), against the learner's handler.

import { defineLab } from '../../../kit/lab.ts';
import { callTwice } from '../../idempotence.ts';
import { serveHandler } from '../../lab-server.ts';
import { request } from '../../wire.ts';

export const lab = defineLab(import.meta.url, {
  id: 'idempotent-put',
  title: 'A PUT you can retry',
  task: 'Every retried PUT /items/<id> leaves one more item behind: make items.mjs store the body at the URL, so a second PUT changes nothing more.',
  section: 'safe-and-idempotent',
  files: ['items.mjs'],
  startFails: 'PUT twice leaves the state PUT once left',
  check: async (t, dir) => {
    const base = await serveHandler(t, `${dir}/items.mjs`, 'items');
    const put = await callTwice(base, 'PUT', '/items/7', '{"name":"lamp","color":"red"}');
    t.check(
      'PUT twice leaves the state PUT once left (idempotent): 201 Created, then 200 or 204',
      put.afterFirst === put.afterSecond &&
        put.first.status === 201 &&
        [200, 204].includes(put.second.status),
      `statuses ${put.first.status}, ${put.second.status}; after one: ${put.afterFirst.trim()}; after two: ${put.afterSecond.trim()}`,
    );
    await request(`${base}/items/7`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name":"lamp"}',
    });
    const now = await request(`${base}/items/7`);
    t.equal(
      'a PUT with another body replaces the item: GET /items/7 returns what the last PUT sent',
      now.status === 200 ? JSON.parse(now.body) : now.status,
      { name: 'lamp', id: '7' },
    );
  },
  hints: [
    {
      claim: 'PUT twice leaves the state PUT once left',
      ladder: [
        'The same PUT /items/7 sent twice left the collection different from one PUT (or did not answer 201, then 200 or 204).',
        'RFC 9110 §9.3.4: PUT asks that the state of the target resource — the item at this URL — be created or replaced with the body. The URL names the item; the server does not pick a new id.',
        'Store the body under the id from the URL: 201 if nothing was there, 200 (or 204) if it replaced something.',
      ],
    },
    {
      claim: 'a PUT with another body replaces the item',
      ladder: [
        'After PUT {"name":"lamp","color":"red"} then PUT {"name":"lamp"}, GET /items/7 did not return {"name":"lamp","id":"7"}.',
        'PUT replaces the whole representation (RFC 9110 §9.3.4); partial updates are PATCH (RFC 5789). A field the last PUT left out is gone.',
        'Set the item to the body plus its id, whatever was stored before: no early return, no merge.',
      ],
    },
  ],
  wrong: [
    {
      case: 'create-once',
      fails: 'a PUT with another body replaces the item',
      why: 'ignoring a PUT whose item exists is idempotent but is not PUT: the second body is lost',
    },
    {
      case: 'merge',
      fails: 'a PUT with another body replaces the item',
      why: 'merging the body into what is stored is PATCH: a field the client removed stays',
    },
  ],
});
