import type { Database } from '../db/index.ts'
import { uuidv7 } from '../db/ids.ts'
import { BadRequestError, ConflictError, NotFoundError } from '../http/errors.ts'
import { hashPassword } from '../auth/passwords.ts'
import { createUserRepo, type UserRow } from './repo.ts'

export interface CreateUserInput {
  email: string, password: string, name: string, isAdmin?: boolean
  quotaSizeInBytes?: number | null, storageLabel?: string | null, shouldChangePassword?: boolean
}

export const MIN_PASSWORD_LENGTH = 8

/** Users: first-run admin sign-up, creation and removal by admins, profile and quota changes. */
export function createUserService ({ db, onUserRemoved }: {
  db: Database
  /** Called after a user's row is gone, to set their files aside (never to delete them). */
  onUserRemoved?: (user: UserRow) => Promise<void>
}) {
  const repo = createUserRepo(db)

  const checkPassword = (password: string) => {
    if (password.length < MIN_PASSWORD_LENGTH) throw new BadRequestError(`password: must be at least ${MIN_PASSWORD_LENGTH} characters`)
  }

  const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505'

  return {
    repo,
    async create (input: CreateUserInput): Promise<UserRow> {
      checkPassword(input.password)
      const passwordHash = await hashPassword(input.password)
      try {
        return await repo.insert({
          id: uuidv7(), email: input.email.trim(), name: input.name.trim(), passwordHash,
          isAdmin: input.isAdmin ?? false, storageLabel: input.storageLabel ?? null,
          quotaSizeInBytes: input.quotaSizeInBytes ?? null, shouldChangePassword: input.shouldChangePassword ?? false,
        })
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError(`A user with the email ${input.email} already exists`)
        throw err
      }
    },

    /** The first user, an admin; refused once any user exists (two racing sign-ups: one wins). */
    async adminSignUp (input: { email: string, password: string, name: string }): Promise<UserRow> {
      checkPassword(input.password)
      const passwordHash = await hashPassword(input.password)
      return db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(728462)')
        if (await repo.count(tx) > 0) throw new BadRequestError('The server already has an admin: log in instead')
        return repo.insert({
          id: uuidv7(), email: input.email.trim(), name: input.name.trim(), passwordHash, isAdmin: true,
          storageLabel: 'admin', quotaSizeInBytes: null, shouldChangePassword: false,
        }, tx)
      })
    },

    async get (id: string): Promise<UserRow> {
      const user = await repo.byId(id)
      if (user === undefined) throw new NotFoundError('User')
      return user
    },

    async update (id: string, patch: {
      email?: string, name?: string, password?: string, isAdmin?: boolean
      quotaSizeInBytes?: number | null, storageLabel?: string | null, shouldChangePassword?: boolean
    }): Promise<UserRow> {
      if (patch.password !== undefined) checkPassword(patch.password)
      if (patch.isAdmin === false) {
        const user = await this.get(id)
        if (user.is_admin && await repo.countAdmins() <= 1) throw new BadRequestError('The last admin cannot stop being an admin')
      }
      try {
        const row = await repo.update(id, {
          ...(patch.email !== undefined && { email: patch.email.trim() }),
          ...(patch.name !== undefined && { name: patch.name.trim() }),
          ...(patch.password !== undefined && { password_hash: await hashPassword(patch.password) }),
          ...(patch.isAdmin !== undefined && { is_admin: patch.isAdmin }),
          ...(patch.quotaSizeInBytes !== undefined && { quota_size_in_bytes: patch.quotaSizeInBytes }),
          ...(patch.storageLabel !== undefined && { storage_label: patch.storageLabel }),
          ...(patch.shouldChangePassword !== undefined && { should_change_password: patch.shouldChangePassword }),
        })
        if (row === undefined) throw new NotFoundError('User')
        return row
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError(`A user with the email ${patch.email ?? ''} already exists`)
        throw err
      }
    },

    async remove (id: string, { actingUserId }: { actingUserId: string }): Promise<UserRow> {
      const user = await this.get(id)
      if (id === actingUserId) throw new BadRequestError('You cannot remove yourself; ask another admin')
      if (user.is_admin && await repo.countAdmins() <= 1) throw new BadRequestError('The last admin cannot be removed')
      await repo.remove(id)
      await onUserRemoved?.(user)
      return user
    },
  }
}

export type UserService = ReturnType<typeof createUserService>
