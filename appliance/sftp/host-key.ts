/**
 * The SFTP server's host key: an Ed25519 key made once in `<data>/keys/ssh_host_ed25519_key`
 * (mode 0600) and reused ever after, so clients' known_hosts entries stay valid across restarts.
 */
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { keyFile } from '../../node/storage/key-file.ts'
import ssh2 from 'ssh2'

export interface HostKey { path: string, privateKey: string, fingerprint: string, /** OpenSSH one-line form, for known_hosts */ publicKey: string, created: boolean }

export async function loadOrCreateHostKey (dataDir: string): Promise<HostKey> {
  let pair: { private: string, public: string } | undefined
  const key = await keyFile(dataDir, 'ssh_host_ed25519_key', () => {
    // ssh2 makes an Ed25519 key that its own parser refuses about once in 250 (measured: 8 of 2,000),
    // and a key file once written is kept for good: only a key that parses is written.
    pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'hearth-sftp' })
    for (let i = 0; i < 20 && ssh2.utils.parseKey(pair.private) instanceof Error; i++) pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'hearth-sftp' })
    return pair.private
  })
  const { path, created } = key
  const privateKey = key.bytes.toString('utf8')
  if (created && pair !== undefined) await writeFile(`${path}.pub`, `${pair.public}\n`, { mode: 0o644 }).catch(() => {})
  const parsed = ssh2.utils.parseKey(privateKey)
  if (parsed instanceof Error) throw new Error(`The SFTP host key ${path} cannot be read: ${parsed.message}`)
  const fingerprint = `SHA256:${createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '')}`
  return { path, privateKey, fingerprint, publicKey: `${parsed.type} ${parsed.getPublicSSH().toString('base64')}`, created }
}

/** The host key's fingerprint without creating anything (for `hearth doctor`); undefined when there is no key yet. */
export async function readHostKeyFingerprint (dataDir: string): Promise<{ path: string, fingerprint: string } | undefined> {
  const path = join(dataDir, 'keys', 'ssh_host_ed25519_key')
  let text: string
  try { text = await readFile(path, 'utf8') } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  const parsed = ssh2.utils.parseKey(text)
  if (parsed instanceof Error) throw new Error(`${path} cannot be read: ${parsed.message}`)
  return { path, fingerprint: `SHA256:${createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '')}` }
}
