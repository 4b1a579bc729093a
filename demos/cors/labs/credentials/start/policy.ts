// The CORS policy of the account API (http://api.example.test), whose every GET answers with
// the data of the user whose session cookie comes with the request. The options, in the spirit of
// the `cors` middleware (demos/cors/servers.ts `Policy`):
//   origin:      'none' | '*' | 'reflect' (echo the Origin) | exact origins (string[]) | a RegExp
//   credentials: true sends Access-Control-Allow-Credentials: true
//   vary:        true sends Vary: Origin
// `app` is the origin of the company's web app, e.g. http://a.example.test:8080.
// A page on evil.example.test read alice's account from her browser.

export function policy(app: string) {
  // TODO: every origin that asks is echoed back, with credentials.
  return { origin: 'reflect', credentials: true };
}
