import express from 'express'
import { EnvError, parseEnv } from './env.server'

const SECRET = 'a-session-secret-that-is-long-enough-0123'
const OLD_SECRET = 'the-previous-session-secret-still-accepted-42'

function errorFor(source: Record<string, string>): string {
  try {
    parseEnv(source)
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError)
    return (error as EnvError).message
  }
  throw new Error(`parseEnv accepted ${JSON.stringify(source)}`)
}

describe('parseEnv', () => {
  test('an empty environment gets the development defaults', () => {
    const env = parseEnv({})
    expect(env.NODE_ENV).toBe('development')
    expect(env.PORT).toBe(3000)
    expect(env.APP_URL).toBe('http://localhost:3000')
    expect(env.DATABASE_URL).toBeUndefined()
    expect(env.SMTP_URL).toBeUndefined()
    expect(env.MAIL_FROM).toBe('Literasi Digital <literasi@example.org>')
    expect(env.TRUST_PROXY).toBe(false)
    expect(env.SESSION_SECRETS).toHaveLength(1)
  })

  test('APP_URL follows PORT unless given, and loses its trailing slash', () => {
    expect(parseEnv({ PORT: '4100' }).APP_URL).toBe('http://localhost:4100')
    expect(parseEnv({ PORT: '4100', APP_URL: 'https://webinar.example.org/' }).APP_URL).toBe('https://webinar.example.org')
  })

  test('empty strings count as unset', () => {
    const env = parseEnv({ PORT: '', APP_URL: '', SMTP_URL: '', SESSION_SECRET: '' })
    expect(env.PORT).toBe(3000)
    expect(env.APP_URL).toBe('http://localhost:3000')
    expect(env.SMTP_URL).toBeUndefined()
  })

  test('valid values are kept', () => {
    const env = parseEnv({
      NODE_ENV: 'production',
      PORT: '8080',
      APP_URL: 'https://webinar.example.org',
      DATABASE_URL: 'file:./data/app.sqlite',
      SESSION_SECRET: SECRET,
      SMTP_URL: 'smtps://user:pass@mail.example.org:465',
      MAIL_FROM: 'literasi@example.org',
      DEMO_PASSWORD: 'long-enough',
    })
    expect(env).toMatchObject({
      NODE_ENV: 'production',
      PORT: 8080,
      APP_URL: 'https://webinar.example.org',
      DATABASE_URL: 'file:./data/app.sqlite',
      SESSION_SECRETS: [SECRET],
      SMTP_URL: 'smtps://user:pass@mail.example.org:465',
      MAIL_FROM: 'literasi@example.org',
      DEMO_PASSWORD: 'long-enough',
    })
  })

  test.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '0x1F90' }],
    ['PORT', { PORT: '0' }],
    ['PORT', { PORT: '80.5' }],
    ['APP_URL', { APP_URL: 'not-a-url' }],
    ['APP_URL', { APP_URL: 'ftp://webinar.example.org' }],
    ['SMTP_URL', { SMTP_URL: 'http://x' }],
    ['SMTP_URL', { SMTP_URL: 'garbage' }],
    ['MAIL_FROM', { MAIL_FROM: 'nonsense' }],
    ['DEMO_PASSWORD', { DEMO_PASSWORD: 'short' }],
    ['SESSION_SECRET', { SESSION_SECRET: 'too-short' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'maybe' }],
    ['UPLOAD_DIR', { UPLOAD_DIR: '/var/lib/literasi/\u0007uploads' }],
    ['UPLOAD_DIR', { UPLOAD_DIR: '   ' }],
  ])('a bad %s is named in the error (%j)', (name, source) => {
    expect(errorFor(source)).toMatch(new RegExp(`\\b${name}\\b`))
  })

  test('the error is one line', () => {
    expect(errorFor({ PORT: 'abc' })).not.toContain('\n')
  })

  test('SESSION_SECRET is required in production', () => {
    expect(errorFor({ NODE_ENV: 'production' })).toMatch(/\bSESSION_SECRET\b/)
    expect(parseEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET, APP_URL: 'https://webinar.example.org' }).SESSION_SECRETS).toEqual([SECRET])
  })

  test('APP_URL is required in production: links in mail must not point at localhost', () => {
    expect(errorFor({ NODE_ENV: 'production', SESSION_SECRET: SECRET })).toMatch(/^Invalid environment variable APP_URL: is required in production/)
    expect(parseEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET, APP_URL: 'https://webinar.example.org/' }).APP_URL).toBe('https://webinar.example.org')
    // Elsewhere it still follows PORT.
    expect(parseEnv({ NODE_ENV: 'test' }).APP_URL).toBe('http://localhost:3000')
  })

  test.each([
    ['a # in the password', 'postgres://lit:pa#ss@127.0.0.1:55432/lit', 'pa#ss'],
    ['@ : / # ? in the password', 'postgres://lit:p@ss:w/rd#1?@host/db', 'p@ss:w/rd#1?'],
    ['a port out of range', 'postgres://lit:pw@127.0.0.1:99999/lit', 'pw'],
    ['a / in the password, read as the path', 'postgresql://lit:12/rahasia@host/db', '12/rahasia'],
  ])('a PostgreSQL DATABASE_URL that is not a valid URL (%s) is refused in one line, without the password', (_case, url, password) => {
    const message = errorFor({ DATABASE_URL: url })
    expect(message).toMatch(/^Invalid environment variable DATABASE_URL: .*not a valid .*URL/)
    expect(message).toMatch(/@ : \/ # \? .*percent-encoded/)
    expect(message).not.toContain('\n')
    // Not even a part of the password: every run of three of its characters (or the whole, if shorter).
    for (let i = 0; i + Math.min(3, password.length) <= password.length && password; i++) {
      expect(message).not.toContain(password.slice(i, i + Math.min(3, password.length)))
    }
  })

  test.each(['bogus', 'allow', 'VERIFY-FULL', ''])('a PostgreSQL DATABASE_URL with sslmode=%s is refused in one line naming the modes, without the password', (mode) => {
    const message = errorFor({ DATABASE_URL: `postgres://lit:rahasia-sekali@db.example.org/literasi?sslmode=${mode}` })
    expect(message).toBe('Invalid environment variable DATABASE_URL: has an unknown sslmode: use one of disable, prefer, require, verify-ca, verify-full, no-verify')
  })

  test.each(['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'])('sslmode=%s is accepted', (mode) => {
    const url = `postgres://lit:rahasia@db.example.org/literasi?sslmode=${mode}`
    expect(parseEnv({ DATABASE_URL: url }).DATABASE_URL).toBe(url)
  })

  test('a PostgreSQL DATABASE_URL with a percent-encoded password, and SQLite paths, are accepted as they are', () => {
    for (const url of ['postgres://lit:p%40ss%3Aw%2Frd%231%3F@db.example.org:5432/literasi?sslmode=require', 'postgresql://localhost/lit', 'db/literasi.sqlite', 'file:./x#1.sqlite']) {
      expect(parseEnv({ DATABASE_URL: url }).DATABASE_URL).toBe(url)
    }
  })

  test('several comma-separated secrets are accepted, newest first, for rotation', () => {
    expect(parseEnv({ SESSION_SECRET: `${SECRET}, ${OLD_SECRET}` }).SESSION_SECRETS).toEqual([SECRET, OLD_SECRET])
    // Every one of them must be long enough, not just the first.
    expect(errorFor({ SESSION_SECRET: `${SECRET},short` })).toMatch(/\bSESSION_SECRET\b/)
  })

  test.each([
    [undefined, false],
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.0/8, 127.0.0.1, ::1', ['10.0.0.0/8', '127.0.0.1', '::1']],
    ['fd00::/8,loopback', ['fd00::/8', 'loopback']],
  ])('TRUST_PROXY=%s means %j', (value, expected) => {
    expect(parseEnv(value === undefined ? {} : { TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected)
  })

  test('every TRUST_PROXY it accepts is a trust proxy setting express accepts', () => {
    for (const value of ['0', '1', '3', '10.0.0.0/8, 127.0.0.1, ::1', '192.168.0.0/16,fd00::/8', 'loopback, uniquelocal', '::ffff:10.0.0.1']) {
      expect(() => express().set('trust proxy', parseEnv({ TRUST_PROXY: value }).TRUST_PROXY), value).not.toThrow()
    }
  })

  test.each(['true', 'yes', '-1', '11', '1.5', '10.0.0.0/33', '::1/129', '10.0.0.0/8/1', '10.0.0.256', 'example.org', '10.0.0.1,', '1, 10.0.0.1', 'fe80::1%eth0', 'fe80::1%eth0/64', '::1, fe80::1%25eth0'])(
    'TRUST_PROXY=%s is refused, in one line that names it',
    (value) => {
      const message = errorFor({ TRUST_PROXY: value })
      expect(message).toMatch(/\bTRUST_PROXY\b/)
      expect(message).not.toContain('\n')
    },
  )

  test('TRUST_PROXY=true is refused with the forms to use instead', () => {
    expect(errorFor({ TRUST_PROXY: 'true' })).toMatch(/TRUST_PROXY: true would believe .*number of proxies .*addresses/)
  })

  test('TRUST_PROXY refuses an IPv6 address with a zone id: a peer address never carries one, so it would never match', () => {
    expect(errorFor({ TRUST_PROXY: 'fe80::1%eth0' })).toMatch(/TRUST_PROXY: "fe80::1%eth0" .*zone/)
  })

  test('LOG_REQUESTS is on by default in production only, and can be set either way', () => {
    expect(parseEnv({}).LOG_REQUESTS).toBe('off')
    expect(parseEnv({ NODE_ENV: 'test' }).LOG_REQUESTS).toBe('off')
    const production = { NODE_ENV: 'production', SESSION_SECRET: SECRET, APP_URL: 'https://webinar.example.org' }
    expect(parseEnv(production).LOG_REQUESTS).toBe('on')
    expect(parseEnv({ ...production, LOG_REQUESTS: 'off' }).LOG_REQUESTS).toBe('off')
    expect(parseEnv({ LOG_REQUESTS: 'on' }).LOG_REQUESTS).toBe('on')
    expect(errorFor({ LOG_REQUESTS: 'yes' })).toMatch(/\bLOG_REQUESTS\b/)
  })

  test('METRICS_TOKEN is unset by default, and must be long enough to guess no faster than a session', () => {
    expect(parseEnv({}).METRICS_TOKEN).toBeUndefined()
    const token = 'a'.repeat(16) + 'B'.repeat(16)
    expect(parseEnv({ METRICS_TOKEN: token }).METRICS_TOKEN).toBe(token)
    expect(errorFor({ METRICS_TOKEN: 'short' })).toMatch(/\bMETRICS_TOKEN\b/)
    expect(errorFor({ METRICS_TOKEN: `${token} with spaces` })).toMatch(/\bMETRICS_TOKEN\b/)
  })
})
