import type { LoaderFunctionArgs } from '@remix-run/node'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { hasBearerToken, metricsContentType, metricsText, observeDatabase } from '#app/utils/metrics.server'

// For the operations team's Prometheus: only with METRICS_TOKEN set, and only with that token.
// Without it the address does not exist, so nobody learns that it could.

// Scrapes count the outbox and read the pool through the connection pages use. Registered when
// the build loads, so every process of a cluster reports its pool, scraped or not.
observeDatabase(getDb, 'requests')

export async function loader({ request }: LoaderFunctionArgs) {
  const token = getEnv().METRICS_TOKEN
  if (!token) throw new Response('Not found', { status: 404 })
  if (!hasBearerToken(request, token)) {
    throw new Response('Unauthorized', { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' } })
  }
  let text: string
  try {
    text = await metricsText()
  } catch {
    // A cluster process that did not answer: fail this scrape (Prometheus records it) rather than report partial sums.
    throw new Response('Metrics unavailable', { status: 503, headers: { 'Cache-Control': 'no-store' } })
  }
  return new Response(text, { headers: { 'Content-Type': metricsContentType, 'Cache-Control': 'no-store' } })
}
