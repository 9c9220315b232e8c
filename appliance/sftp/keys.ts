/**
 * SFTP public keys: each user adds the keys they log in with (`/api/users/me/ssh-keys`). A key is
 * checked with ssh2's own parser, kept in its OpenSSH one-line form, and found at login by its
 * SHA256 fingerprint (as `ssh-keygen -lf key.pub` prints it).
 */
import { createHash } from 'node:crypto'
import ssh2 from 'ssh2'
import type { Database } from '../../node/db/index.ts'
import { uuidv7 } from '../../node/db/ids.ts'
import { BadRequestError, ConflictError, NotFoundError } from '../../node/http/errors.ts'

export interface SshKeyRow { id: string, user_id: string, name: string, algorithm: string, public_key: string, fingerprint: string, created_at: Date, last_used_at: Date | null }

/** SHA256:<base64 without padding> of a key's wire form. */
export const fingerprintOf = (publicSsh: Buffer) => `SHA256:${createHash('sha256').update(publicSsh).digest('base64').replace(/=+$/, '')}`

const MAX_KEYS = 100

/** Parses an OpenSSH (or RFC 4716) public key; throws BadRequestError with what is wrong. */
export function parsePublicKey (text: string): { algorithm: string, publicKey: string, fingerprint: string, comment: string } {
  const trimmed = text.trim()
  if (/PRIVATE KEY/.test(trimmed)) throw new BadRequestError('key: that is a private key; paste the public one (the .pub file)')
  const parsed = ssh2.utils.parseKey(trimmed)
  const key = Array.isArray(parsed) ? parsed[0] : parsed
  if (key === undefined || key instanceof Error) throw new BadRequestError(`key: not a public key ssh can use${key instanceof Error ? ` (${key.message})` : ''}`)
  if (key.isPrivateKey()) throw new BadRequestError('key: that is a private key; paste the public one (the .pub file)')
  const wire = key.getPublicSSH()
  return { algorithm: key.type, publicKey: `${key.type} ${wire.toString('base64')}`, fingerprint: fingerprintOf(wire), comment: key.comment ?? '' }
}

export function createSshKeyStore (db: Database) {
  return {
    async list (userId: string): Promise<SshKeyRow[]> {
      return db.query<SshKeyRow>('SELECT * FROM ssh_keys WHERE user_id = $1 ORDER BY created_at, id', [userId])
    },

    async add (userId: string, { name, key }: { name?: string, key: string }): Promise<SshKeyRow> {
      const k = parsePublicKey(key)
      const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ssh_keys WHERE user_id = $1', [userId])
      if (n >= MAX_KEYS) throw new BadRequestError(`You have ${MAX_KEYS} keys already: remove one first`)
      const rows = await db.query<SshKeyRow>(
        `INSERT INTO ssh_keys (id, user_id, name, algorithm, public_key, fingerprint) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id, fingerprint) DO NOTHING RETURNING *`,
        [uuidv7(), userId, (name ?? '').trim() || k.comment || k.algorithm, k.algorithm, k.publicKey, k.fingerprint])
      if (rows.length === 0) throw new ConflictError(`You already added this key (${k.fingerprint})`)
      return rows[0]
    },

    async remove (userId: string, id: string) {
      const rows = await db.query('DELETE FROM ssh_keys WHERE user_id = $1 AND id = $2 RETURNING id', [userId, id])
      if (rows.length === 0) throw new NotFoundError('SSH key')
    },

    /** The user's key with this fingerprint, if they added it. */
    async find (userId: string, fingerprint: string): Promise<SshKeyRow | undefined> {
      const [row] = await db.query<SshKeyRow>('SELECT * FROM ssh_keys WHERE user_id = $1 AND fingerprint = $2', [userId, fingerprint])
      return row
    },

    async touch (id: string) {
      await db.query('UPDATE ssh_keys SET last_used_at = now() WHERE id = $1', [id])
    },
  }
}

export type SshKeyStore = ReturnType<typeof createSshKeyStore>
