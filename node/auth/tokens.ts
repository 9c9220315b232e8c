import { createHash, randomBytes } from 'node:crypto'

/** A new secret for a session or an API key: 32 random bytes, base64url. Only its hash is stored. */
export const newSecret = (): string => randomBytes(32).toString('base64url')

export const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest()
