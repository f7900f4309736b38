import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { v7 as uuidv7 } from 'uuid'

/**
 * A row's id: a time-ordered UUID (version 7). New rows then land at the end of each primary-key
 * index instead of at random places in it, so a transaction dirties a few index pages rather than
 * one per row: a group of 32 registrations committed in half the time. Ids are not secrets
 * (personal links use createToken); the 74 random bits still make them unguessable.
 */
export function createId(): string {
  return uuidv7()
}

/** 32 random bytes (256 bits), URL-safe: for session ids and personal links. */
export function createToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Tokens are stored hashed, so a copy of the database does not hand out working links. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

// scrypt is memory-hard and ships with Node. N=2^15 costs about 50–100 ms and 32 MiB here:
// slow for a guesser, fine for a person signing in.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 64 }
const SCRYPT_MAXMEM = 64 * 1024 * 1024

function scryptAsync(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number) {
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, { N, r, p, maxmem: SCRYPT_MAXMEM }, (error, key) =>
      error ? reject(error) : resolve(key),
    )
  })
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyLength)
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$')
}

// Compared against when the account does not exist, so both cases take the same time.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$' + Buffer.alloc(64).toString('base64')

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = (stored ?? DUMMY_HASH).split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  try {
    const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p), expected.length)
    return timingSafeEqual(actual, expected) && stored !== null
  } catch {
    // A damaged stored hash (bad parameters) is a failed sign-in, not a crash.
    return false
  }
}
