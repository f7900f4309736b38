import '@remix-run/node'

declare module '@remix-run/node' {
  interface AppLoadContext {
    /** The caller's address, from the socket (or X-Forwarded-For when TRUST_PROXY is set). */
    clientIp: string
    /** This response's Content-Security-Policy nonce (scripts/server.ts); absent in route tests. */
    cspNonce?: string
  }
}
