import { z } from 'zod'
import { route } from '../http/route.ts'
import { isUuid } from '../db/ids.ts'
import { NotFoundError } from '../http/errors.ts'
import { toUserAdminDto, toUserDto } from './dto.ts'
import type { UserService } from './service.ts'

const storageLabel = z.string().regex(/^[a-z0-9_-]{1,64}$/i, 'expected 1-64 letters, digits, - or _ (it names a folder)').nullable()
const quota = z.number().int().min(0).nullable()

/** The signed-in user's own profile, and admins' management of users. */
export function userRoutes ({ users }: { users: UserService }) {
  const get = async (id: string) => {
    if (!isUuid(id)) throw new NotFoundError('User')
    return users.get(id)
  }
  return [
    route({
      method: 'GET', path: '/api/users/me', tag: 'Users', access: 'user', permission: 'user.read',
      summary: 'The signed-in user',
      handler: async ({ auth }) => toUserAdminDto(await users.get(auth.user.id)),
    }),
    route({
      method: 'PUT', path: '/api/users/me', tag: 'Users', access: 'user', permission: 'user.update',
      summary: 'Change your name or email',
      body: z.object({ name: z.string().trim().min(1).max(200).optional(), email: z.email().optional() }),
      handler: async ({ auth, body }) => toUserAdminDto(await users.update(auth.user.id, body)),
    }),
    route({
      method: 'GET', path: '/api/users', tag: 'Users', access: 'user', permission: 'user.read',
      summary: 'The users of this server (to share with)',
      handler: async () => (await users.repo.list()).map(toUserDto),
    }),
    route({
      method: 'GET', path: '/api/admin/users', tag: 'Users (admin)', access: 'admin', permission: 'adminUser.read',
      summary: 'All users, with quotas',
      handler: async () => (await users.repo.list()).map(toUserAdminDto),
    }),
    route({
      method: 'POST', path: '/api/admin/users', tag: 'Users (admin)', access: 'admin', permission: 'adminUser.create', status: 201,
      summary: 'Create a user',
      body: z.object({
        email: z.email({ error: 'expected an email address' }), password: z.string().min(1), name: z.string().trim().min(1).max(200),
        isAdmin: z.boolean().optional(), quotaSizeInBytes: quota.optional(), storageLabel: storageLabel.optional(),
        shouldChangePassword: z.boolean().optional(),
      }),
      handler: async ({ body }) => toUserAdminDto(await users.create(body)),
    }),
    route({
      method: 'GET', path: '/api/admin/users/{id}', tag: 'Users (admin)', access: 'admin', permission: 'adminUser.read',
      summary: 'One user',
      handler: async ({ params }) => toUserAdminDto(await get(params.id)),
    }),
    route({
      method: 'PUT', path: '/api/admin/users/{id}', tag: 'Users (admin)', access: 'admin', permission: 'adminUser.update',
      summary: 'Change a user: name, email, password, admin, quota, storage label',
      body: z.object({
        email: z.email().optional(), password: z.string().min(1).optional(), name: z.string().trim().min(1).max(200).optional(),
        isAdmin: z.boolean().optional(), quotaSizeInBytes: quota.optional(), storageLabel: storageLabel.optional(),
        shouldChangePassword: z.boolean().optional(),
      }),
      handler: async ({ params, body }) => { await get(params.id); return toUserAdminDto(await users.update(params.id, body)) },
    }),
    route({
      method: 'DELETE', path: '/api/admin/users/{id}', tag: 'Users (admin)', access: 'admin', permission: 'adminUser.delete',
      summary: 'Remove a user; their originals are set aside in the data folder, never deleted',
      handler: async ({ params, auth }) => { await get(params.id); return toUserAdminDto(await users.remove(params.id, { actingUserId: auth.user.id })) },
    }),
  ]
}
