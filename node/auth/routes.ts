import type { Context } from 'koa'
import { z } from 'zod'
import type { Config } from '../config/schema.ts'
import { route } from '../http/route.ts'
import { NotFoundError, BadRequestError } from '../http/errors.ts'
import { toUserAdminDto } from '../users/dto.ts'
import type { UserService } from '../users/service.ts'
import type { ApiKeyRow } from './repo.ts'
import { PIN_PATTERN, SESSION_COOKIE, type AuthService } from './service.ts'

const email = z.email({ error: 'expected an email address' }).max(254)
const password = z.string().min(1, 'expected a password').max(1024)
const pinCode = z.string().regex(PIN_PATTERN, 'a PIN code is six digits')
/** The PIN code, or the password in its stead (for a forgotten PIN). */
const pinOrPassword = z.object({ pinCode: pinCode.optional(), password: password.optional() })
  .refine((b) => b.pinCode !== undefined || b.password !== undefined, { message: 'give your PIN code (pinCode) or your password', path: ['pinCode'] })

const toApiKeyDto = (k: ApiKeyRow) => ({
  id: k.id, name: k.name, permissions: k.permissions, createdAt: k.created_at.toISOString(), updatedAt: k.updated_at.toISOString(),
})

/** Sign-up, login and logout, password changes, API keys and sessions. */
export function authRoutes ({ auth, users, config }: { auth: AuthService, users: UserService, config: Config }) {
  const setSessionCookie = (ctx: Context, token: string | null) => {
    ctx.cookies.set(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.HEARTH_SECURE_COOKIES,
      path: '/',
      overwrite: true,
      ...(token === null ? { maxAge: 0 } : { maxAge: config.HEARTH_SESSION_DAYS * 86_400_000 }),
    })
  }

  return [
    route({
      method: 'POST', path: '/api/auth/admin-sign-up', tag: 'Authentication', access: 'public', status: 201,
      summary: 'Create the first user, an admin; only while the server has no user',
      body: z.object({ email, password, name: z.string().trim().min(1).max(200) }),
      handler: async ({ body }) => toUserAdminDto(await users.adminSignUp(body)),
    }),
    route({
      method: 'POST', path: '/api/auth/login', tag: 'Authentication', access: 'public', status: 201,
      summary: 'Log in with email and password; returns an access token and sets the session cookie',
      body: z.object({ email: z.string().min(1).max(254), password }),
      handler: async ({ ctx, body }) => {
        const { user, token } = await auth.login({
          email: body.email, password: body.password, address: ctx.req.socket.remoteAddress ?? 'unknown',
          deviceType: ctx.get('user-agent').slice(0, 200),
        })
        setSessionCookie(ctx, token)
        return {
          accessToken: token, userId: user.id, userEmail: user.email, name: user.name, isAdmin: user.is_admin,
          profileImagePath: '', shouldChangePassword: user.should_change_password, isOnboarded: true,
        }
      },
    }),
    route({
      method: 'POST', path: '/api/auth/logout', tag: 'Authentication', access: 'user',
      summary: 'End this session',
      handler: async ({ ctx, auth: caller }) => {
        await auth.logout(caller)
        setSessionCookie(ctx, null)
        return { successful: true, redirectUri: '/auth/login' }
      },
    }),
    route({
      method: 'POST', path: '/api/auth/validateToken', tag: 'Authentication', access: 'user',
      summary: 'Check that the credentials are valid',
      handler: async () => ({ authStatus: true }),
    }),
    route({
      method: 'POST', path: '/api/auth/change-password', tag: 'Authentication', access: 'user', permission: 'auth.changePassword',
      summary: 'Change your password; signs out your other sessions',
      body: z.object({ password, newPassword: password }),
      handler: async ({ auth: caller, body }) => toUserAdminDto(await auth.changePassword(caller, body.password, body.newPassword)),
    }),
    route({
      method: 'GET', path: '/api/auth/status', tag: 'Authentication', access: 'user',
      summary: 'Whether you have a PIN code for the locked folder, and whether this session has it open (isElevated, until pinExpiresAt)',
      handler: async ({ auth: caller }) => auth.status(caller),
    }),
    route({
      method: 'POST', path: '/api/auth/pin-code', tag: 'Authentication', access: 'user', permission: 'pinCode.create', status: 204,
      summary: 'Set the six-digit PIN code that opens your locked folder',
      body: z.object({ pinCode }),
      handler: async ({ auth: caller, body }) => { await auth.setupPin(caller, body.pinCode) },
    }),
    route({
      method: 'PUT', path: '/api/auth/pin-code', tag: 'Authentication', access: 'user', permission: 'pinCode.update', status: 204,
      summary: 'Change the PIN code, giving the old one (pinCode) or your password',
      body: z.object({ pinCode: pinCode.optional(), password: password.optional(), newPinCode: pinCode })
        .refine((b) => b.pinCode !== undefined || b.password !== undefined, { message: 'give your PIN code (pinCode) or your password', path: ['pinCode'] }),
      handler: async ({ ctx, auth: caller, body }) => { await auth.changePin(caller, body, body.newPinCode, ctx.req.socket.remoteAddress ?? 'unknown') },
    }),
    route({
      method: 'DELETE', path: '/api/auth/pin-code', tag: 'Authentication', access: 'user', permission: 'pinCode.delete', status: 204,
      summary: 'Remove the PIN code, giving it or your password (a forgotten PIN); every session\'s locked folder closes, and the locked photos wait for a new PIN',
      body: pinOrPassword,
      handler: async ({ ctx, auth: caller, body }) => { await auth.resetPin(caller, body, ctx.req.socket.remoteAddress ?? 'unknown') },
    }),
    route({
      method: 'POST', path: '/api/auth/session/unlock', tag: 'Authentication', access: 'user', status: 204,
      summary: 'Open the locked folder for this session with your PIN code: for 15 minutes, and 5 past its last use (not for API keys)',
      body: z.object({ pinCode }),
      handler: async ({ ctx, auth: caller, body }) => { await auth.unlock(caller, body.pinCode, ctx.req.socket.remoteAddress ?? 'unknown') },
    }),
    route({
      method: 'POST', path: '/api/auth/session/lock', tag: 'Authentication', access: 'user', status: 204,
      summary: 'Close the locked folder for this session',
      handler: async ({ auth: caller }) => { await auth.lock(caller) },
    }),
    route({
      method: 'POST', path: '/api/api-keys', tag: 'API keys', access: 'user', permission: 'apiKey.create', status: 201,
      summary: 'Create an API key; the secret is shown only in this reply',
      body: z.object({ name: z.string().trim().min(1).max(200).default('API Key'), permissions: z.array(z.string()).min(1) }),
      handler: async ({ auth: caller, body }) => {
        const { secret, apiKey } = await auth.createApiKey(caller, body.name, body.permissions)
        return { secret, apiKey: toApiKeyDto(apiKey) }
      },
    }),
    route({
      method: 'GET', path: '/api/api-keys', tag: 'API keys', access: 'user', permission: 'apiKey.read',
      summary: 'List your API keys',
      handler: async ({ auth: caller }) => (await auth.repo.apiKeysOf(caller.user.id)).map(toApiKeyDto),
    }),
    route({
      method: 'GET', path: '/api/api-keys/me', tag: 'API keys', access: 'user',
      summary: 'The API key this request authenticated with',
      handler: async ({ auth: caller }) => {
        if (caller.apiKey === undefined) throw new BadRequestError('This request did not use an API key')
        return toApiKeyDto(caller.apiKey)
      },
    }),
    route({
      method: 'GET', path: '/api/api-keys/{id}', tag: 'API keys', access: 'user', permission: 'apiKey.read',
      summary: 'One of your API keys',
      handler: async ({ auth: caller, params }) => toApiKeyDto(await auth.getApiKey(caller, params.id)),
    }),
    route({
      method: 'PUT', path: '/api/api-keys/{id}', tag: 'API keys', access: 'user', permission: 'apiKey.update',
      summary: 'Rename an API key or change its permissions',
      body: z.object({ name: z.string().trim().min(1).max(200).optional(), permissions: z.array(z.string()).min(1).optional() }),
      handler: async ({ auth: caller, params, body }) => {
        await auth.getApiKey(caller, params.id)
        if (body.permissions !== undefined) auth.assertGrantable(caller, body.permissions)
        const row = await auth.repo.updateApiKey(caller.user.id, params.id, body)
        if (row === undefined) throw new NotFoundError('API key')
        return toApiKeyDto(row)
      },
    }),
    route({
      method: 'DELETE', path: '/api/api-keys/{id}', tag: 'API keys', access: 'user', permission: 'apiKey.delete', status: 204,
      summary: 'Revoke an API key',
      handler: async ({ auth: caller, params }) => {
        if (!await auth.repo.deleteApiKey(caller.user.id, params.id)) throw new NotFoundError('API key')
      },
    }),
    route({
      method: 'GET', path: '/api/sessions', tag: 'Sessions', access: 'user', permission: 'session.read',
      summary: 'Your signed-in devices',
      handler: async ({ auth: caller }) => (await auth.repo.sessionsOf(caller.user.id)).map((s) => ({
        id: s.id, deviceType: s.device_type, deviceOS: s.device_os, current: s.id === caller.sessionId,
        createdAt: s.created_at.toISOString(), updatedAt: s.updated_at.toISOString(), expiresAt: s.expires_at.toISOString(),
      })),
    }),
    route({
      method: 'DELETE', path: '/api/sessions', tag: 'Sessions', access: 'user', permission: 'session.delete', status: 204,
      summary: 'Sign out every other device',
      handler: async ({ auth: caller }) => { await auth.repo.deleteOtherSessions(caller.user.id, caller.sessionId) },
    }),
    route({
      method: 'DELETE', path: '/api/sessions/{id}', tag: 'Sessions', access: 'user', permission: 'session.delete', status: 204,
      summary: 'Sign out one device',
      handler: async ({ auth: caller, params }) => {
        if (!await auth.repo.deleteSession(caller.user.id, params.id)) throw new NotFoundError('Session')
      },
    }),
  ]
}
