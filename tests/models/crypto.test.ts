import { createToken, hashPassword, hashToken, verifyPassword } from '#app/utils/crypto.server'

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
