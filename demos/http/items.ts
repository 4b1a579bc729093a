// /items: a small in-memory collection for watching safe and idempotent methods at work.
// POST creates, PUT replaces (or creates), PATCH applies a JSON Patch, DELETE removes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type RouteState, readBody, send } from './respond.ts';

export async function items(
  req: IncomingMessage,
  res: ServerResponse,
  state: RouteState,
  id?: string,
) {
  const method = req.method as string;
  const allow = id ? 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS' : 'GET, HEAD, POST, OPTIONS';
  if (method === 'OPTIONS') return send(res, 204, undefined, { Allow: allow });
  if (!allow.split(', ').includes(method)) return send(res, 405, undefined, { Allow: allow });
  if (method === 'GET' || method === 'HEAD') {
    if (!id) return send(res, 200, [...state.items.values()]);
    const item = state.items.get(id);
    return item ? send(res, 200, item) : send(res, 404, { error: `no item ${id}` });
  }
  if (method === 'DELETE') {
    return state.items.delete(id as string)
      ? send(res, 204)
      : send(res, 404, { error: `no item ${id}` });
  }
  const text = await readBody(req, res);
  if (text === undefined) return;
  let doc: unknown;
  try {
    doc = JSON.parse(text || '{}');
  } catch {
    return send(res, 400, { error: 'the body is not JSON' });
  }
  if (method === 'POST') {
    const newId = String(state.nextId++);
    const item = { ...(doc as object), id: newId };
    state.items.set(newId, item);
    return send(res, 201, item, { Location: `/items/${newId}` });
  }
  if (method === 'PUT') {
    const existed = state.items.has(id as string);
    const item = { ...(doc as object), id };
    state.items.set(id as string, item);
    return send(res, existed ? 200 : 201, item, existed ? {} : { Location: `/items/${id}` });
  }
  const item = state.items.get(id as string);
  if (!item) return send(res, 404, { error: `no item ${id}` });
  const problem = applyPatch(item, doc);
  return problem ? send(res, 422, { error: problem }) : send(res, 200, item);
}

/** A small JSON Patch (RFC 6902) subset: add/replace/remove on /key, add to /key/- appends. */
function applyPatch(item: Record<string, unknown>, doc: unknown): string | undefined {
  if (!Array.isArray(doc)) return 'a JSON Patch is an array of operations';
  for (const op of doc as { op?: string; path?: string; value?: unknown }[]) {
    const m = /^\/([^/]+)(\/-)?$/.exec(op.path ?? '');
    const key = m?.[1];
    if (!key || key === 'id') return `unsupported path ${op.path}`;
    if (op.op === 'remove') delete item[key];
    else if (op.op === 'add' && m?.[2]) {
      const list = Array.isArray(item[key]) ? (item[key] as unknown[]) : [];
      item[key] = [...list, op.value];
    } else if (op.op === 'add' || op.op === 'replace') item[key] = op.value;
    else return `unsupported op ${op.op}`;
  }
  return undefined;
}
