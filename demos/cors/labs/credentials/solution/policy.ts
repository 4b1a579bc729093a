// The CORS policy of the account API (http://api.example.test), whose every GET answers with
// the data of the user whose session cookie comes with the request. The options, in the spirit of
// the `cors` middleware (demos/cors/servers.ts `Policy`):
//   origin:      'none' | '*' | 'reflect' (echo the Origin) | exact origins (string[]) | a RegExp
//   credentials: true sends Access-Control-Allow-Credentials: true
//   vary:        true sends Vary: Origin
// `app` is the origin of the company's web app, e.g. http://a.example.test:8080.
// Only the app's own origin may read an answer with cookies; caches are told it varies by Origin.

export function policy(app: string) {
  return { origin: [app], credentials: true, vary: true };
}
