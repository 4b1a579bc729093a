// The /items collection of the orders service, in memory. GET /items lists the items, POST /items
// creates one, GET, PUT and DELETE /items/<id> act on one.
// A tempting fix: PUT at the URL, merging the body into what is there so nothing is lost.

const store = new Map();
let nextId = 1;

function send(res, status, item) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(item === undefined ? '' : `${JSON.stringify(item)}\n`);
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return JSON.parse(text || '{}');
}

export async function items(req, res) {
  const id = /^\/items\/([^/?]+)/.exec(req.url ?? '')?.[1];
  if (req.method === 'GET' && !id) return send(res, 200, [...store.values()]);
  if (req.method === 'GET') return store.has(id) ? send(res, 200, store.get(id)) : send(res, 404);
  if (req.method === 'POST' && !id) {
    const item = { ...(await readJson(req)), id: String(nextId++) };
    store.set(item.id, item);
    return send(res, 201, item);
  }
  if (req.method === 'DELETE' && id) return send(res, store.delete(id) ? 204 : 404);
  if (req.method === 'PUT' && id) {
    const existed = store.has(id);
    const item = { ...store.get(id), ...(await readJson(req)), id };
    store.set(id, item);
    return send(res, existed ? 200 : 201, item);
  }
  send(res, 405);
}
