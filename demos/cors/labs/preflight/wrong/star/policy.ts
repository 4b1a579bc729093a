// The CORS policy of the account API (http://api.example.test), whose every request answers with
// the data of the user whose session cookie comes with the request. The options, in the spirit of
// the `cors` middleware (demos/cors/servers.ts `Policy`):
//   origin:      'none' | '*' | 'reflect' (echo the Origin) | exact origins (string[]) | a RegExp
//   credentials: true sends Access-Control-Allow-Credentials: true
//   vary:        true sends Vary: Origin
//   methods, allowHeaders: Access-Control-Allow-Methods / -Headers on a preflight's answer, as written
//   responseHeaders: extra headers on the real (non-preflight) answers
// `app` is the origin of the company's web app, e.g. http://a.example.test:8080.
// A tempting fix: allow every method and every header, and be done with preflights.

export function policy(app: string) {
  return { origin: [app], credentials: true, vary: true, methods: '*', allowHeaders: '*' };
}
