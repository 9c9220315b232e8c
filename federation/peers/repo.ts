/**
 * Paired peers and the invites handed out, in the database (migration 0024).
 *
 * @example
 * const peers = createPeerRepo(db)
 * await peers.add({ peerId, name: 'The Smiths', addresses, role: 'invitee' })
 */
import type { Queryable } from '../../node/db/index.ts'
import { uuidv7 } from '../../node/db/ids.ts'

export interface Peer { id: string, peerId: string, name: string, addresses: string[], role: 'inviter' | 'invitee', pairedAt: string, lastSeenAt: string | null }

interface PeerRow { id: string, peer_id: string, name: string, addresses: string[], role: 'inviter' | 'invitee', paired_at: Date, last_seen_at: Date | null }

const toPeer = (r: PeerRow): Peer => ({
  id: r.id, peerId: r.peer_id, name: r.name, addresses: r.addresses, role: r.role,
  pairedAt: new Date(r.paired_at).toISOString(), lastSeenAt: r.last_seen_at === null ? null : new Date(r.last_seen_at).toISOString(),
})

export function createPeerRepo (db: Queryable) {
  return {
    async list (): Promise<Peer[]> {
      return (await db.query<PeerRow>('SELECT * FROM federation_peers ORDER BY paired_at')).map(toPeer)
    },
    async byId (id: string): Promise<Peer | undefined> {
      const [row] = await db.query<PeerRow>('SELECT * FROM federation_peers WHERE id = $1', [id])
      return row === undefined ? undefined : toPeer(row)
    },
    async byPeerId (peerId: string): Promise<Peer | undefined> {
      const [row] = await db.query<PeerRow>('SELECT * FROM federation_peers WHERE peer_id = $1', [peerId])
      return row === undefined ? undefined : toPeer(row)
    },
    /** Records a pairing; pairing again with the same node updates its name and addresses. */
    async add (p: { peerId: string, name: string, addresses: string[], role: Peer['role'] }): Promise<Peer> {
      const [row] = await db.query<PeerRow>(`INSERT INTO federation_peers (id, peer_id, name, addresses, role) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (peer_id) DO UPDATE SET name = EXCLUDED.name, addresses = EXCLUDED.addresses, role = EXCLUDED.role, paired_at = now()
        RETURNING *`, [uuidv7(), p.peerId, p.name, p.addresses, p.role])
      return toPeer(row!)
    },
    async remove (id: string): Promise<Peer | undefined> {
      const [row] = await db.query<PeerRow>('DELETE FROM federation_peers WHERE id = $1 RETURNING *', [id])
      return row === undefined ? undefined : toPeer(row)
    },
    async seen (peerId: string): Promise<void> {
      await db.query('UPDATE federation_peers SET last_seen_at = now() WHERE peer_id = $1', [peerId])
    },
    async createInvite (i: { secretSha256: string, createdBy: string | undefined, expiresAt: Date }): Promise<{ id: string }> {
      const id = uuidv7()
      await db.query('INSERT INTO federation_invites (id, secret_sha256, created_by, expires_at) VALUES ($1, $2, $3, $4)', [id, i.secretSha256, i.createdBy ?? null, i.expiresAt])
      return { id }
    },
    /** Whether an invite is still open (unused, not expired): only then may unpaired nodes connect. */
    async openInvites (): Promise<number> {
      const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM federation_invites WHERE used_at IS NULL AND expires_at > now()')
      return row!.n
    },
    /** Forgets invites used or expired more than 30 days ago (their hashes are of no more use). */
    async pruneInvites (): Promise<number> {
      const rows = await db.query("DELETE FROM federation_invites WHERE coalesce(used_at, expires_at) < now() - interval '30 days' RETURNING id")
      return rows.length
    },
    /** Uses up the invite with this secret, once: true when it was open, false when unknown, used or expired. */
    async consumeInvite (secretSha256: string, by: string): Promise<boolean> {
      const rows = await db.query('UPDATE federation_invites SET used_at = now(), used_by = $2 WHERE secret_sha256 = $1 AND used_at IS NULL AND expires_at > now() RETURNING id', [secretSha256, by])
      return rows.length === 1
    },
  }
}

export type PeerRepo = ReturnType<typeof createPeerRepo>
