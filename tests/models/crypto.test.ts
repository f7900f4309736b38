import { createId, createToken, hashPassword, hashToken, verifyPassword } from '#app/utils/crypto.server'

describe('hashPassword and verifyPassword', () => {
  test('a hash names its scheme, verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('kata-sandi-rahasia')
    expect(hash.startsWith('scrypt$')).toBe(true)
    expect(hash).not.toContain('kata-sandi-rahasia')
    expect(await verifyPassword('kata-sandi-rahasia', hash)).toBe(true)
    expect(await verifyPassword('kata-sandi-salah', hash)).toBe(false)
    expect(await verifyPassword('', hash)).toBe(false)
  })

  test('the salt is random, so one password hashes differently twice', async () => {
    const [first, second] = await Promise.all([hashPassword('sama-saja-123'), hashPassword('sama-saja-123')])
    expect(first).not.toBe(second)
    expect(await verifyPassword('sama-saja-123', first)).toBe(true)
    expect(await verifyPassword('sama-saja-123', second)).toBe(true)
  })

  test('an account without a password never verifies', async () => {
    expect(await verifyPassword('anything', null)).toBe(false)
  })

  test('a hash of another scheme is rejected', async () => {
    expect(await verifyPassword('anything', 'bcrypt$2b$10$abcdefghijklmnopqrstuv')).toBe(false)
  })
})

describe('createToken', () => {
  test('has at least 128 bits, URL-safe', () => {
    const token = createToken()
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/)
    // 128 bits in base64url take 22 characters; 43 characters carry 256.
    expect(token.length).toBeGreaterThanOrEqual(43)
  })

  test('1000 tokens are all different', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => createToken()))
    expect(tokens.size).toBe(1000)
  })

  test('hashToken is stable and does not reveal the token', () => {
    const token = createToken()
    expect(hashToken(token)).toBe(hashToken(token))
    expect(hashToken(token)).not.toBe(token)
  })
})

test('a damaged stored hash is a failed sign-in, not a crash', async () => {
  await expect(verifyPassword('anything', 'scrypt$abc$8$1$AAAA$AAAA')).resolves.toBe(false)
})

test('row ids are version 7 UUIDs in creation order, so new rows go to the end of an index', () => {
  const ids = Array.from({ length: 10_000 }, () => createId())
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  expect(new Set(ids).size).toBe(ids.length)
  // Even within one millisecond the order holds.
  expect([...ids].sort()).toEqual(ids)
  // The first 48 bits are the time of creation.
  const ms = Number.parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16)
  expect(Math.abs(ms - Date.now())).toBeLessThan(60_000)
})
