import type { Queryable } from '../db/index.ts'

export interface UserRow {
  id: string
  email: string
  name: string
  password_hash: string
  /** The locked folder's PIN (Argon2id), null until the user sets one. */
  pin_code_hash: string | null
  is_admin: boolean
  storage_label: string | null
  quota_size_in_bytes: number | null
  quota_usage_in_bytes: number
  should_change_password: boolean
  created_at: Date
  updated_at: Date
}

export interface NewUser {
  id: string, email: string, name: string, passwordHash: string, isAdmin: boolean
  storageLabel: string | null, quotaSizeInBytes: number | null, shouldChangePassword: boolean
}

export function createUserRepo (db: Queryable) {
  return {
    async count (q: Queryable = db): Promise<number> {
      const [row] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM users')
      return row.n
    },
    async insert (u: NewUser, q: Queryable = db): Promise<UserRow> {
      const [row] = await q.query<UserRow>(
        `INSERT INTO users (id, email, name, password_hash, is_admin, storage_label, quota_size_in_bytes, should_change_password)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [u.id, u.email, u.name, u.passwordHash, u.isAdmin, u.storageLabel, u.quotaSizeInBytes, u.shouldChangePassword])
      return row
    },
    async byId (id: string): Promise<UserRow | undefined> {
      const [row] = await db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id])
      return row
    },
    async byIds (ids: string[]): Promise<UserRow[]> {
      return ids.length === 0 ? [] : db.query<UserRow>('SELECT * FROM users WHERE id = ANY($1::uuid[])', [ids])
    },
    async byEmail (email: string): Promise<UserRow | undefined> {
      const [row] = await db.query<UserRow>('SELECT * FROM users WHERE lower(email) = lower($1)', [email])
      return row
    },
    async list (): Promise<UserRow[]> {
      return db.query<UserRow>('SELECT * FROM users ORDER BY created_at')
    },
    async update (id: string, patch: Partial<{
      email: string, name: string, password_hash: string, is_admin: boolean, storage_label: string | null
      quota_size_in_bytes: number | null, should_change_password: boolean
    }>): Promise<UserRow | undefined> {
      const keys = Object.keys(patch) as Array<keyof typeof patch>
      if (keys.length === 0) return this.byId(id)
      const sets = keys.map((k, i) => `${k} = $${i + 2}`).join(', ')
      const [row] = await db.query<UserRow>(
        `UPDATE users SET ${sets}, updated_at = now() WHERE id = $1 RETURNING *`, [id, ...keys.map((k) => patch[k])])
      return row
    },
    async remove (id: string): Promise<boolean> {
      const rows = await db.query('DELETE FROM users WHERE id = $1 RETURNING id', [id])
      return rows.length > 0
    },
    async countAdmins (): Promise<number> {
      const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE is_admin')
      return row.n
    },
  }
}

export type UserRepo = ReturnType<typeof createUserRepo>
