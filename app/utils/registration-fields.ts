// Names shared by the registration form (browser) and its schema (server). No zod here.

/** Names are printed on certificates; longer than this is not a name. */
export const NAME_MAX = 100

/** The honeypot: hidden from people, filled in by form-filling bots. */
export const HONEYPOT_FIELD = 'website'

/** A personal link's token: 32 random bytes in base64url. Anything else is not looked up. */
export const PERSONAL_TOKEN = /^[A-Za-z0-9_-]{43}$/
