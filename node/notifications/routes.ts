/** Immich's `/api/notifications`: each person's own notifications, to list, mark read and delete. */
import { z } from 'zod'
import { isUuid } from '../db/ids.ts'
import { NotFoundError } from '../http/errors.ts'
import { route } from '../http/route.ts'
import { toNotificationDto, type NotificationService } from './service.ts'

const ids = z.array(z.uuid({ error: 'expected notification ids (UUIDs)' })).min(1, 'name at least one notification').max(1000)
const readAt = z.iso.datetime({ offset: true, error: 'readAt: expected a date and time, or null for unread' }).nullable()

export function notificationRoutes ({ notifications }: { notifications: NotificationService }) {
  const one = async (userId: string, id: string) => {
    const [n] = isUuid(id) ? await notifications.list(userId, { id }) : []
    if (n === undefined) throw new NotFoundError('Notification')
    return n
  }
  return [
    route({
      method: 'GET', path: '/api/notifications', tag: 'Notifications', access: 'user', permission: 'notification.read',
      summary: 'Your notifications, newest first (unread=true: only those not read; type, level, id narrow it)',
      query: z.object({
        unread: z.enum(['true', 'false']).optional(), type: z.string().max(40).optional(),
        level: z.enum(['success', 'error', 'warning', 'info']).optional(), id: z.uuid().optional(),
      }),
      handler: async ({ auth, query }) => (await notifications.list(auth.user.id, {
        unread: query.unread === undefined ? undefined : query.unread === 'true', type: query.type, level: query.level, id: query.id,
      })).map(toNotificationDto),
    }),
    route({
      method: 'GET', path: '/api/notifications/{id}', tag: 'Notifications', access: 'user', permission: 'notification.read',
      summary: 'One of your notifications',
      handler: async ({ auth, params }) => toNotificationDto(await one(auth.user.id, params.id!)),
    }),
    route({
      method: 'PUT', path: '/api/notifications', tag: 'Notifications', access: 'user', permission: 'notification.update', status: 204,
      summary: 'Marks several of your notifications read (readAt) or unread (null)',
      body: z.object({ ids, readAt }),
      handler: async ({ auth, body }) => { await notifications.setRead(auth.user.id, body.ids, body.readAt === null ? null : new Date(body.readAt)) },
    }),
    route({
      method: 'PUT', path: '/api/notifications/{id}', tag: 'Notifications', access: 'user', permission: 'notification.update',
      summary: 'Marks one of your notifications read (readAt) or unread (null)',
      body: z.object({ readAt }),
      handler: async ({ auth, params, body }) => {
        const n = await one(auth.user.id, params.id!)
        await notifications.setRead(auth.user.id, [n.id], body.readAt === null ? null : new Date(body.readAt))
        return toNotificationDto(await one(auth.user.id, n.id))
      },
    }),
    route({
      method: 'DELETE', path: '/api/notifications', tag: 'Notifications', access: 'user', permission: 'notification.delete', status: 204,
      summary: 'Deletes several of your notifications',
      body: z.object({ ids }),
      handler: async ({ auth, body }) => { await notifications.remove(auth.user.id, body.ids) },
    }),
    route({
      method: 'DELETE', path: '/api/notifications/{id}', tag: 'Notifications', access: 'user', permission: 'notification.delete', status: 204,
      summary: 'Deletes one of your notifications',
      handler: async ({ auth, params }) => { await notifications.remove(auth.user.id, [(await one(auth.user.id, params.id!)).id]) },
    }),
  ]
}
