/**
 * In-app notifications, as Immich's (`/api/notifications`): what a family member should hear
 * about without watching every screen. Made here by the parts of Hearth where things happen:
 * - an album shared with you (`AlbumInvite`), photos added to an album you are in, and a comment
 *   on it (`AlbumUpdate`; while unread, one notification an album for its new photos, counted up);
 * - for admins, a failed database backup (`BackupFailed`) and originals found missing or damaged
 *   (`SystemMessage`).
 * Each person sees, reads and deletes only their own.
 *
 * @example
 * const notifications = createNotificationService({ db })
 * await notifications.send([userId], { type: 'AlbumInvite', title: 'Ada shared “Summer” with you', data: { albumId } })
 */
import type { Database, Queryable } from '../db/index.ts'
import { uuidv7 } from '../db/ids.ts'

export type NotificationLevel = 'success' | 'error' | 'warning' | 'info'
export type NotificationType = 'JobFailed' | 'BackupFailed' | 'SystemMessage' | 'AlbumInvite' | 'AlbumUpdate' | 'Custom'

export interface NotificationRow {
  id: string, user_id: string, level: NotificationLevel, type: NotificationType, title: string, description: string | null
  data: Record<string, unknown> | null, key: string | null, created_at: Date, read_at: Date | null
}

export interface NewNotification {
  type: NotificationType, title: string, description?: string, level?: NotificationLevel, data?: Record<string, unknown>
  /**
   * Unread notifications with the same key are one: a new one replaces its text (`merge` may
   * combine the old data with the new, to count photos added one upload at a time).
   */
  key?: string
  merge?: (old: Record<string, unknown> | null) => { title: string, description?: string, data?: Record<string, unknown> }
}

/** Immich's NotificationDto. */
export const toNotificationDto = (n: NotificationRow) => ({
  id: n.id, createdAt: n.created_at.toISOString(), level: n.level, type: n.type, title: n.title,
  description: n.description ?? undefined, data: n.data ?? undefined, readAt: n.read_at?.toISOString() ?? undefined,
})

export function createNotificationService ({ db }: { db: Database }) {
  async function sendOne (userId: string, n: NewNotification, q: Queryable): Promise<void> {
    if (n.key !== undefined) {
      const [old] = await q.query<NotificationRow>('SELECT * FROM notifications WHERE user_id = $1 AND key = $2 AND read_at IS NULL', [userId, n.key])
      if (old !== undefined) {
        const next = n.merge?.(old.data) ?? n
        await q.query('UPDATE notifications SET title = $2, description = $3, data = $4::jsonb, level = $5, created_at = now() WHERE id = $1',
          [old.id, next.title, next.description ?? null, JSON.stringify(next.data ?? null), n.level ?? 'info'])
        return
      }
    }
    const first = n.merge?.(null) ?? n
    await q.query(
      `INSERT INTO notifications (id, user_id, level, type, title, description, data, key) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
       ON CONFLICT (user_id, key) WHERE read_at IS NULL AND key IS NOT NULL DO NOTHING`,
      [uuidv7(), userId, n.level ?? 'info', n.type, first.title, first.description ?? null, JSON.stringify(first.data ?? null), n.key ?? null])
  }

  /** Tells each of `userIds` (the same words to each). */
  async function send (userIds: Iterable<string>, n: NewNotification): Promise<void> {
    for (const userId of new Set(userIds)) await db.transaction((tx) => sendOne(userId, n, tx))
  }

  return {
    send,
    /** Tells every admin. */
    async sendAdmins (n: NewNotification): Promise<void> {
      await send((await db.query<{ id: string }>('SELECT id FROM users WHERE is_admin')).map((a) => a.id), n)
    },
    async list (userId: string, f: { unread?: boolean, type?: string, level?: string, id?: string } = {}): Promise<NotificationRow[]> {
      const params: unknown[] = [userId]
      const where = ['user_id = $1']
      if (f.unread !== undefined) where.push(f.unread ? 'read_at IS NULL' : 'read_at IS NOT NULL')
      if (f.type !== undefined) { params.push(f.type); where.push(`type = $${params.length}`) }
      if (f.level !== undefined) { params.push(f.level); where.push(`level = $${params.length}`) }
      if (f.id !== undefined) { params.push(f.id); where.push(`id = $${params.length}`) }
      return db.query<NotificationRow>(`SELECT * FROM notifications WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT 200`, params)
    },
    /** Marks `ids` of `userId`'s read (or unread with null); how many were theirs. */
    async setRead (userId: string, ids: string[], readAt: Date | null): Promise<number> {
      const rows = await db.query('UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND id = ANY($2::uuid[]) RETURNING id', [userId, ids, readAt])
      return rows.length
    },
    async remove (userId: string, ids: string[]): Promise<number> {
      const rows = await db.query('DELETE FROM notifications WHERE user_id = $1 AND id = ANY($2::uuid[]) RETURNING id', [userId, ids])
      return rows.length
    },
  }
}

export type NotificationService = ReturnType<typeof createNotificationService>
