/**
 * The node secret behind public links: seals each link's key (AES-256-GCM) so the database alone
 * never reveals a working link, and signs the token a browser gets after typing a link's password.
 * 32 random bytes in `<data>/keys/shared-links.key`, mode 0600, made once.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import { keyFile } from '../storage/key-file.ts'

export interface LinkSecret {
  seal (plain: string): Buffer
  unseal (sealed: Buffer): string
  sign (text: string): string
}

export async function loadLinkSecret (dataDir: string): Promise<LinkSecret> {
  const { path, bytes: secret } = await keyFile(dataDir, 'shared-links.key', () => randomBytes(32))
  if (secret.length !== 32) throw new Error(`${path} should hold 32 bytes; it holds ${secret.length}. Restore it from a backup (public links depend on it).`)
  const sealKey = createHmac('sha256', secret).update('hearth shared-link seal').digest()
  const signKey = createHmac('sha256', secret).update('hearth shared-link token').digest()
  return {
    seal (plain) {
      const iv = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', sealKey, iv)
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
      return Buffer.concat([iv, c.getAuthTag(), body])
    },
    unseal (sealed) {
      const d = createDecipheriv('aes-256-gcm', sealKey, sealed.subarray(0, 12))
      d.setAuthTag(sealed.subarray(12, 28))
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8')
    },
    sign (text) { return createHmac('sha256', signKey).update(text).digest('base64url') },
  }
}
