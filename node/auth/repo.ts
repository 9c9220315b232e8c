import type { Queryable } from '../db/index.ts'

export interface SessionRow {
  id: string, user_id: string, device_type: string, device_os: string
  created_at: Date, updated_at: Date, expires_at: Date
  /** Until when this session may open the locked folder (null: locked). */
  pin_expires_at: Date | null
}
export interface ApiKeyRow {
  id: string, user_id: string, name: string, permissions: string[], created_at: Date, updated_at: Date
}

export function createAuthRepo (db: Queryable) {
  return {
    async insertSession (s: { id: string, userId: string, tokenHash: Buffer, deviceType: string, deviceOs: string, expiresAt: Date }) {
      await db.query(
        `INSERT INTO sessions (id, user_id, token_hash, device_type, device_os, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [s.id, s.userId, s.tokenHash, s.deviceType, s.deviceOs, s.expiresAt])
    },
    async sessionByTokenHash (tokenHash: Buffer): Promise<SessionRow | undefined> {
      const [row] = await db.query<SessionRow>(
        'SELECT id, user_id, device_type, device_os, created_at, updated_at, expires_at, pin_expires_at FROM sessions WHERE token_hash = $1 AND expires_at > now()',
        [tokenHash])
      return row
    },
    async touchSession (id: string, expiresAt: Date) {
      await db.query('UPDATE sessions SET updated_at = now(), expires_at = $2 WHERE id = $1', [id, expiresAt])
    },
    /** Unlocks one session's locked folder until `until`, or locks it (null). */
    async setSessionPin (id: string, until: Date | null) {
      await db.query('UPDATE sessions SET pin_expires_at = $2 WHERE id = $1', [id, until])
    },
    /** Locks every session of the user (their PIN was removed). */
    async lockSessions (userId: string) {
      await db.query('UPDATE sessions SET pin_expires_at = NULL WHERE user_id = $1', [userId])
    },
    async setPinHash (userId: string, hash: string | null) {
      await db.query('UPDATE users SET pin_code_hash = $2, updated_at = now() WHERE id = $1', [userId, hash])
    },
    async sessionsOf (userId: string): Promise<SessionRow[]> {
      return db.query<SessionRow>(
        'SELECT id, user_id, device_type, device_os, created_at, updated_at, expires_at, pin_expires_at FROM sessions WHERE user_id = $1 AND expires_at > now() ORDER BY updated_at DESC',
        [userId])
    },
    async deleteSession (userId: string, id: string): Promise<boolean> {
      return (await db.query('DELETE FROM sessions WHERE id = $1 AND user_id = $2 RETURNING id', [id, userId])).length > 0
    },
    async deleteOtherSessions (userId: string, keepId: string | undefined) {
      await db.query('DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2', [userId, keepId ?? null])
    },
    async deleteExpiredSessions () {
      await db.query('DELETE FROM sessions WHERE expires_at <= now()')
    },
    async insertApiKey (k: { id: string, userId: string, name: string, keyHash: Buffer, permissions: string[] }): Promise<ApiKeyRow> {
      const [row] = await db.query<ApiKeyRow>(
        `INSERT INTO api_keys (id, user_id, name, key_hash, permissions) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, user_id, name, permissions, created_at, updated_at`,
        [k.id, k.userId, k.name, k.keyHash, k.permissions])
      return row
    },
    async apiKeyByHash (keyHash: Buffer): Promise<ApiKeyRow | undefined> {
      const [row] = await db.query<ApiKeyRow>(
        'SELECT id, user_id, name, permissions, created_at, updated_at FROM api_keys WHERE key_hash = $1', [keyHash])
      return row
    },
    async apiKeysOf (userId: string): Promise<ApiKeyRow[]> {
      return db.query<ApiKeyRow>(
        'SELECT id, user_id, name, permissions, created_at, updated_at FROM api_keys WHERE user_id = $1 ORDER BY created_at', [userId])
    },
    async apiKeyOf (userId: string, id: string): Promise<ApiKeyRow | undefined> {
      const [row] = await db.query<ApiKeyRow>(
        'SELECT id, user_id, name, permissions, created_at, updated_at FROM api_keys WHERE user_id = $1 AND id = $2', [userId, id])
      return row
    },
    async updateApiKey (userId: string, id: string, patch: { name?: string, permissions?: string[] }): Promise<ApiKeyRow | undefined> {
      const [row] = await db.query<ApiKeyRow>(
        `UPDATE api_keys SET name = coalesce($3, name), permissions = coalesce($4, permissions), updated_at = now()
         WHERE user_id = $1 AND id = $2 RETURNING id, user_id, name, permissions, created_at, updated_at`,
        [userId, id, patch.name ?? null, patch.permissions ?? null])
      return row
    },
    async deleteApiKey (userId: string, id: string): Promise<boolean> {
      return (await db.query('DELETE FROM api_keys WHERE user_id = $1 AND id = $2 RETURNING id', [userId, id])).length > 0
    },
  }
}
