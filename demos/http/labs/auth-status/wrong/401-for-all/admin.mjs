// GET /admin of the orders service, behind HTTP Basic authentication. alice is an administrator;
// bob is a known user who is not.
// A tempting fix: the client did not log in, so answer 401 (with the challenge) to every refusal.

const USERS = {
  alice: { password: 'wonderland', admin: true },
  bob: { password: 'builder', admin: false },
};
const CHALLENGE = 'Basic realm="wirenotes", charset="UTF-8"';

/** The user and password of an `Authorization: Basic …` header, or undefined. */
function credentials(req) {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

export function admin(req, res) {
  const [user, pass] = credentials(req) ?? [];
  const known = user !== undefined ? USERS[user] : undefined;
  if (!known || known.password !== pass || !known.admin) {
    res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': CHALLENGE });
    return res.end('{"error":"unauthorized"}\n');
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(`{"admin":"${user}"}\n`);
}
