// Lab: an `async def` endpoint that calls a blocking library, and the whole API stalls. The
// learner's router runs under Debian's uvicorn (lab_app.py), the vendor's render() records each
// call as the demo's endpoints do (handled.py), and the claims are step `fastapi-loop`'s, from
// the same client helpers: a burst on fresh connections, then the peak of calls in flight.

import { defineLab } from '../../../kit/lab.ts';
import { burst, getJson, type Handled, peakInFlight, spanMs, threadCount } from '../../client.ts';
import { labApp } from '../../lab-app.ts';

/**
 * Reports asked for at once: no more than the smallest pool a fix may use (asyncio.to_thread's
 * default executor has cpu_count + 4 threads: 5 on one core), so every fix runs them all at once.
 */
const N = 5;

export const lab = defineLab(import.meta.url, {
  id: 'blocking-call',
  title: 'One slow PDF stalls the API',
  task: 'When a few customers download invoices at once, the API stops answering: make report.py render them side by side, with the vendor library as it is.',
  section: 'fastapi-def-runs-in-a-thread-pool-async-def-on-the-loop',
  files: ['report.py'],
  needs: ['fastapi'],
  startFails: `the ${N} renders ran at the same time`,
  check: async (t, dir) => {
    const { api } = await labApp(t, `${dir}/report.py`);
    const replies = await burst((i) => `${api.url}/report/${i + 1}`, N);
    const renders = await getJson<Handled[]>(`${api.url}/trace?tag=render`);
    const peak = peakInFlight(renders);
    t.table(
      ['reports at once', 'render() calls', 'peak in flight', 'threads', 'server span'],
      [[N, renders.length, peak, threadCount(renders), `${Math.round(spanMs(renders))} ms`]],
    );
    t.check(
      `all ${N} reports answer 200 with their own PDF, each made by render()`,
      replies.every((r, i) => r.status === 200 && r.body.includes(`order-${i + 1}.pdf`)) &&
        renders.length === N,
      `statuses ${replies.map((r) => r.status).join(', ')}; render() ran ${renders.length} times`,
    );
    t.equal(
      `the ${N} renders ran at the same time, not one after another: peak in flight ${N}`,
      peak,
      N,
    );
  },
  hints: [
    {
      claim: `the ${N} renders ran at the same time`,
      ladder: [
        'The renders ran one after another (peak in flight 1, the ✗ line says): while one ran, nothing else in the app did, not even /health.',
        'FastAPI runs an `async def` endpoint on the event loop, one thread for every request; a call that blocks there holds them all. A plain `def` endpoint runs in AnyIO\'s thread pool instead (FastAPI docs, "Concurrency and async / await"; notes/serving.md).',
        'Declare the endpoint with `def`, or keep `async def` and `await run_in_threadpool(render, order_id)` (starlette.concurrency) or `await asyncio.to_thread(render, order_id)`.',
        "Wrapping render() in another coroutine, or `await asyncio.sleep(0)` before it, changes nothing: once render() is called, the loop's thread is inside it until it returns.",
      ],
    },
    {
      claim: `all ${N} reports answer 200`,
      ladder: [
        'Some reports did not come back as their PDF: is the route still GET /report/{order_id}, and does it return {"pdf": render(order_id)} for every request?',
      ],
    },
  ],
  wrong: [
    {
      case: 'async-wrapper',
      fails: `the ${N} renders ran at the same time`,
      why: 'an async wrapper still calls render() on the event loop: awaiting a coroutine does not move work to another thread',
    },
    {
      case: 'sleep-zero',
      fails: `the ${N} renders ran at the same time`,
      why: 'asyncio.sleep(0) yields once, before render(); render() itself still blocks the loop',
    },
  ],
});
