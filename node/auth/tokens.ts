import { createHash, randomBytes } from 'node:crypto'

/**
 * A new secret for a session or an API key: 32 random bytes, base64url. Only its hash is stored.
 * Never starting with "-": an API key is typed on command lines (`immich login <url> <key>`),
 * where a leading dash reads as an option (1 key in 64 otherwise).
 */
export function newSecret (): string {
  for (;;) {
    const secret = randomBytes(32).toString('base64url')
    if (!secret.startsWith('-')) return secret
  }
}

export const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest()
