import '@remix-run/node'

declare module '@remix-run/node' {
  interface AppLoadContext {
    /** The caller's address, from the socket (or X-Forwarded-For when TRUST_PROXY is set). */
    clientIp: string
    /** This response's Content-Security-Policy nonce (scripts/server.ts); absent in route tests. */
    cspNonce?: string
    /** The request's id (X-Request-Id) and route id, as the request log names them; for the error log. */
    requestId?: string
    route?: string
  }
}
