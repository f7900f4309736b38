import net from 'node:net'
import { z } from 'zod'

// The environment is parsed once, at start. A bad value stops the app with a line that
// names the variable, instead of failing later in the middle of a request.

const mailbox = z
  .string()
  .trim()
  .refine(
    (value) => /^[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+$/.test(value) || /^[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>$/.test(value),
    'must be an e-mail address, e.g. "Literasi Digital <literasi@example.org>"',
  )

/** proxy-addr's names for address ranges, as express's `trust proxy` setting accepts them. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])

/** An address, an address/prefix (CIDR) or a range name, as a proxy list entry. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true
  // A zone id (fe80::1%eth0) passes net.isIP, but a peer's address never carries one: it would never match.
  if (entry.includes('%')) return false
  const [address = '', prefix, ...rest] = entry.split('/')
  const version = net.isIP(address)
  if (version === 0 || rest.length > 0) return false
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128))
}

/**
 * Which peers may tell the client's address (X-Forwarded-For), the public host and protocol:
 * none (false), the nearest n hops, or the listed proxies. `true` (any peer at all) is refused:
 * it believes the left-most X-Forwarded-For, which the client writes itself.
 */
const trustProxy = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    if (value === 'true') {
      ctx.addIssue({
        code: 'custom',
        message: 'true would believe an X-Forwarded-For that any client can write; give the number of proxies in front of the app (e.g. 1) or their addresses (e.g. 10.0.0.0/8, 127.0.0.1)',
      })
    } else if (/^\d+$/.test(value)) {
      if (Number(value) > 10) ctx.addIssue({ code: 'custom', message: 'must be at most 10 proxies' })
    } else if (value !== 'false') {
      const bad = value.split(',').map((entry) => entry.trim()).find((entry) => !isProxyAddress(entry))
      if (bad?.includes('%')) {
        ctx.addIssue({ code: 'custom', message: `"${bad}" has a zone id (%…), which a client's address never carries, so it would never match; give the address without it (e.g. fe80::1)` })
      } else if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${bad}" is not a proxy address: give false, a number of proxies (e.g. 1), or addresses and CIDRs (e.g. 10.0.0.0/8, 127.0.0.1, ::1)`,
        })
      }
    }
  })
  .transform((value): TrustProxy => {
    if (value === 'false' || /^0+$/.test(value)) return false
    if (/^\d+$/.test(value)) return Number(value)
    return value.split(',').map((entry) => entry.trim())
  })

/**
 * A PostgreSQL URL that a URL parser reads as its author meant. A password with @ : / # ? in it,
 * written as it is, splits the URL in the wrong places (the host becomes part of the password,
 * the password part of the path); the message never repeats the URL, since where the password
 * ends cannot be told. Anything else (a SQLite path or file: URL) is checked when it is opened.
 */
export const INVALID_POSTGRES_URL =
  'is not a valid PostgreSQL URL (not shown: it may contain the password); @ : / # ? in a password must be percent-encoded, e.g. @ as %40, # as %23'

/**
 * The sslmode values the driver (pg) acts on. Any other, a typo or libpq's `allow`, it takes
 * silently for TLS with full verification: refused at start instead, by name.
 */
const POSTGRES_SSLMODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify']

const databaseUrl = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .refine((value) => {
    if (!/^postgres(ql)?:\/\//i.test(value)) return true
    try {
      const url = new URL(value)
      // An @ after the host: part of a password read as the database name or the query.
      return !/@/.test(`${url.pathname}${url.search}${url.hash}`)
    } catch {
      return false
    }
  }, INVALID_POSTGRES_URL)
  .refine((value) => {
    const mode = /^postgres(ql)?:\/\//i.test(value) && URL.canParse(value) ? new URL(value).searchParams.get('sslmode') : null
    return mode === null || POSTGRES_SSLMODES.includes(mode)
  }, `has an unknown sslmode: use one of ${POSTGRES_SSLMODES.join(', ')}`)

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z
      .string()
      .regex(/^\d+$/, 'must be a port number, e.g. 3000')
      .transform(Number)
      .pipe(z.number().int('must be a whole number')
      .min(1, 'must be between 1 and 65535')
      .max(65535, 'must be between 1 and 65535'))
      .default(3000),
    APP_URL: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://webinar.example.org' })
      .optional(),
    DATABASE_URL: databaseUrl.optional(),
    DATABASE_POOL_SIZE: z
      .string()
      .regex(/^\d+$/, 'must be a whole number of connections, e.g. 10')
      .transform(Number)
      .pipe(z.number().min(1, 'must be at least 1').max(200, 'must be at most 200'))
      .default(10),
    SESSION_SECRET: z
      .string()
      .optional()
      .refine(
        (value) => value === undefined || value.split(',').every((secret) => secret.trim().length >= 32),
        'must be at least 32 characters (several secrets may be given, comma-separated, newest first)',
      ),
    SMTP_URL: z
      // A host is required: nodemailer reads "smtp://" as localhost:587 and would retry there forever.
      .url({ protocol: /^smtps?$/, hostname: /./, message: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.org:587' })
      .optional(),
    MAIL_FROM: mailbox.default('Literasi Digital <literasi@example.org>'),
    DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    TRUST_PROXY: trustProxy.default(false),
    MAIL_RATE_PER_SEC: z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'must be a number of messages per second, e.g. 10 (0 = no limit)')
      .transform(Number)
      .default(0),
    MAIL_LEASE_SECONDS: z
      .string()
      .regex(/^\d+$/, 'must be a whole number of seconds')
      .transform(Number)
      .pipe(z.number().min(1, 'must be at least 1').max(3600, 'must be at most 3600'))
      .default(120),
    MAIL_WORKER: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
    WEB_CONCURRENCY: z
      .string()
      .regex(/^\d+$/, 'must be a whole number of processes, e.g. 2')
      .transform(Number)
      .pipe(z.number().min(1, 'must be at least 1').max(64, 'must be at most 64'))
      .default(1),
    LOG_REQUESTS: z.enum(['on', 'off'], { message: 'must be on or off' }).optional(),
    UPLOAD_DIR: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must be a folder path without control characters, e.g. /var/lib/literasi/uploads')
      .optional(),
    METRICS_TOKEN: z
      .string()
      .trim()
      .min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)')
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces, as a Bearer token is sent')
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required in production' })
    }
    // Links in mail (reminders, thank-yous, set-password) are built from it, by workers too.
    if (env.NODE_ENV === 'production' && !env.APP_URL) {
      ctx.addIssue({ code: 'custom', path: ['APP_URL'], message: 'is required in production: the address people open the app at, e.g. https://webinar.example.org (links in mail are built from it)' })
    }
  })

export type Env = {
  NODE_ENV: 'development' | 'production' | 'test'
  PORT: number
  APP_URL: string
  DATABASE_URL: string | undefined
  /** PostgreSQL connections each process may open (ignored on SQLite). */
  DATABASE_POOL_SIZE: number
  SESSION_SECRETS: string[]
  SMTP_URL: string | undefined
  MAIL_FROM: string
  DEMO_PASSWORD: string | undefined
  /** Whose X-Forwarded-* headers to believe: nobody, the nearest n hops, or these proxy addresses/CIDRs. */
  TRUST_PROXY: TrustProxy
  /** Messages per second the worker may hand to SMTP; 0 means no limit. */
  MAIL_RATE_PER_SEC: number
  /** How long a claimed message may stay in flight before another worker takes it over. */
  MAIL_LEASE_SECONDS: number
  /** Whether `npm start` runs the mail worker in-process (off when it runs as `npm run worker`). */
  MAIL_WORKER: 'on' | 'off'
  /** HTTP processes sharing the port (node:cluster); one per CPU core uses the whole machine. */
  WEB_CONCURRENCY: number
  /** One JSON line per request on stdout (on by default in production). */
  LOG_REQUESTS: 'on' | 'off'
  /** The Bearer token GET /metrics requires; unset, /metrics does not exist. */
  METRICS_TOKEN: string | undefined
  /** Where uploaded files (speakers' slides) are kept; unset, an `uploads` folder beside the database. */
  UPLOAD_DIR: string | undefined
}

/** Express's `trust proxy` setting, in the forms it accepts natively. */
export type TrustProxy = false | number | string[]

export class EnvError extends Error {}

/** Empty strings count as unset, as they do in most .env files. */
function withoutEmpty(source: Record<string, string | undefined>) {
  return Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''))
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(withoutEmpty(source))
  if (!result.success) {
    const issue = result.error.issues[0]!
    const name = String(issue.path[0] ?? 'environment')
    throw new EnvError(`Invalid environment variable ${name}: ${issue.message}`)
  }
  const env = result.data
  return {
    NODE_ENV: env.NODE_ENV,
    PORT: env.PORT,
    APP_URL: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    DATABASE_URL: env.DATABASE_URL,
    DATABASE_POOL_SIZE: env.DATABASE_POOL_SIZE,
    SESSION_SECRETS: (env.SESSION_SECRET ?? 'development-only-secret-not-for-production-use')
      .split(',')
      .map((secret) => secret.trim()),
    SMTP_URL: env.SMTP_URL,
    MAIL_FROM: env.MAIL_FROM,
    DEMO_PASSWORD: env.DEMO_PASSWORD,
    TRUST_PROXY: env.TRUST_PROXY,
    MAIL_RATE_PER_SEC: env.MAIL_RATE_PER_SEC,
    MAIL_LEASE_SECONDS: env.MAIL_LEASE_SECONDS,
    MAIL_WORKER: env.MAIL_WORKER,
    WEB_CONCURRENCY: env.WEB_CONCURRENCY,
    LOG_REQUESTS: env.LOG_REQUESTS ?? (env.NODE_ENV === 'production' ? 'on' : 'off'),
    METRICS_TOKEN: env.METRICS_TOKEN,
    UPLOAD_DIR: env.UPLOAD_DIR,
  }
}

let cached: Env | undefined

export function getEnv(): Env {
  if (!cached) cached = parseEnv()
  return cached
}
