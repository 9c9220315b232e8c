/**
 * The SFTP API: a user's public keys (Immich has no such endpoint; these follow its `/api/users/me`
 * style) and how to connect, with the host key's fingerprint so the UI can show it for checking.
 */
import { z } from 'zod'
import { route } from '../../node/http/route.ts'
import { NotFoundError } from '../../node/http/errors.ts'
import type { SshKeyRow, SshKeyStore } from './keys.ts'

const toDto = (k: SshKeyRow) => ({
  id: k.id, name: k.name, algorithm: k.algorithm, publicKey: k.public_key, fingerprint: k.fingerprint,
  createdAt: k.created_at.toISOString(), lastUsedAt: k.last_used_at?.toISOString() ?? null,
})

export function sftpRoutes ({ keys, info }: { keys: SshKeyStore, info: () => { port: number, fingerprint?: string, publicKey?: string } }) {
  return [
    route({
      method: 'GET', path: '/api/users/me/ssh-keys', tag: 'SFTP', access: 'user', permission: 'user.read',
      summary: 'Your public keys for SFTP',
      handler: async ({ auth }) => (await keys.list(auth.user.id)).map(toDto),
    }),
    route({
      method: 'POST', path: '/api/users/me/ssh-keys', tag: 'SFTP', access: 'user', permission: 'user.update', status: 201,
      summary: 'Add a public key (the one line of an id_ed25519.pub or id_rsa.pub file) to log in to SFTP with',
      body: z.object({ name: z.string().max(200).optional(), key: z.string().min(1, 'expected a public key').max(16_384) }),
      handler: async ({ auth, body }) => toDto(await keys.add(auth.user.id, body)),
    }),
    route({
      method: 'DELETE', path: '/api/users/me/ssh-keys/{id}', tag: 'SFTP', access: 'user', permission: 'user.update', status: 204,
      summary: 'Remove one of your public keys',
      handler: async ({ auth, params }) => {
        const id = z.uuid().safeParse(params.id)
        if (!id.success) throw new NotFoundError('SSH key')
        await keys.remove(auth.user.id, id.data)
      },
    }),
    route({
      method: 'GET', path: '/api/sftp', tag: 'SFTP', access: 'user', permission: 'user.read',
      summary: 'How to connect over SFTP: port, your user name, and the host key with its fingerprint to check on first connection',
      handler: async ({ auth }) => {
        const i = info()
        return { port: i.port, username: auth.user.email, hostKeyFingerprint: i.fingerprint ?? null, hostKey: i.publicKey ?? null, passwordAuth: true, publicKeyAuth: true }
      },
    }),
  ]
}
