/**
 * The SFTP module: an ssh2 server on HEARTH_SFTP_PORT (0 picks a free port, shown in `port`) that
 * serves each user's tree (tree.ts) over SFTP only: no shell, no exec, no port forwarding.
 * Authentication: email + password, email + app password (an API key secret), or email + a public
 * key the user added (`/api/users/me/ssh-keys`). Every failure counts in the node's one login
 * throttle (AuthService), and is logged.
 */
import type { AddressInfo } from 'node:net'
import ssh2 from 'ssh2'
import type { CipherAlgorithm, Connection } from 'ssh2'
import type { NodeContext, NodeModule } from '../../node/index.ts'
import type { UserRow } from '../../node/users/repo.ts'
import { createSftpAuthenticator } from './auth.ts'
import { loadOrCreateHostKey } from './host-key.ts'
import { createSshKeyStore, fingerprintOf } from './keys.ts'
import { sftpRoutes } from './routes.ts'
import { serveSftp } from './session.ts'
import { createTreeView } from './tree.ts'
import { createReadOnlyTree } from '../tree/readonly.ts'
import { createUploadsArea } from '../tree/uploads.ts'

/**
 * AES-GCM and AES-CTR first: Node's crypto does them natively. chacha20-poly1305 (OpenSSH's
 * first choice) runs in JavaScript unless ssh2's optional native addon was built, and is many
 * times slower, so it is not offered.
 */
const CIPHERS: CipherAlgorithm[] = ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr']

export interface SftpModule extends NodeModule {
  /** The port listened on, once started (the real one when HEARTH_SFTP_PORT=0). */
  readonly port: number
  readonly fingerprint: string | undefined
  readonly hostKeyPath: string | undefined
}

export function sftpModule ({ host }: { host?: string } = {}): (ctx: NodeContext) => SftpModule {
  return (ctx) => {
    const log = ctx.log.child({ component: 'sftp' })
    const uploads = createUploadsArea(ctx)
    const tree = createTreeView({ uploads, readOnly: createReadOnlyTree(ctx.db) })
    const login = createSftpAuthenticator({ auth: ctx.auth })
    let server: InstanceType<typeof ssh2.Server> | undefined
    const clients = new Set<Connection>()
    let port = 0
    let fingerprint: string | undefined
    let hostPublicKey: string | undefined
    let hostKeyPath: string | undefined
    const keys = createSshKeyStore(ctx.db)
    /** Keys a client may offer on one connection before it is cut off (OpenSSH's MaxAuthTries). */
    const MAX_KEYS_OFFERED = 6

    /** A public-key attempt: the key must be one the user added, its signature must verify, and the account must not be locked. */
    async function publicKeyLogin (auth: ssh2.PublicKeyAuthContext, ip: string): Promise<UserRow | 'query-ok' | undefined> {
      const email = auth.username
      if (ctx.auth.throttle.retryAfter(email, ip) > 0) {
        log.warn({ email, address: ip, channel: 'sftp' }, 'login refused: too many failures')
        return undefined
      }
      const u = await ctx.users.repo.byEmail(email.trim())
      const fp = fingerprintOf(auth.key.data)
      const row = u === undefined ? undefined : await keys.find(u.id, fp)
      if (u === undefined || row === undefined) {
        // Clients offer each key they hold in turn: an unknown key is logged, not yet a failure.
        log.info({ email, address: ip, fingerprint: fp }, 'sftp public key not known for this user')
        return undefined
      }
      const parsed = ssh2.utils.parseKey(row.public_key)
      if (parsed instanceof Error || !parsed.getPublicSSH().equals(auth.key.data)) return undefined
      if (auth.signature === undefined || auth.blob === undefined) return 'query-ok'
      if (parsed.verify(auth.blob, auth.signature, auth.hashAlgo) !== true) {
        ctx.auth.throttle.fail(email, ip, 'sftp', { fingerprint: fp, reason: 'bad signature' })
        return undefined
      }
      ctx.auth.throttle.succeed(email, ip)
      await keys.touch(row.id)
      log.info({ userId: u.id, address: ip, fingerprint: fp }, 'sftp login with a public key')
      return u
    }

    function onClient (client: Connection, ip: string) {
      clients.add(client)
      // Small SFTP status replies must not wait for Nagle's algorithm (a sequential put would crawl).
      ;(client as Connection & { setNoDelay(on: boolean): void }).setNoDelay(true)
      let user: UserRow | undefined
      client.on('error', (err) => log.debug({ err, address: ip }, 'sftp connection error'))
      client.on('close', () => clients.delete(client))
      let keysOffered = 0
      const methods: ssh2.AuthenticationType[] = ['publickey', 'password']
      client.on('authentication', (auth) => {
        if (auth.method === 'publickey') {
          if (auth.signature === undefined && ++keysOffered > MAX_KEYS_OFFERED) {
            log.warn({ email: auth.username, address: ip }, 'sftp: too many keys offered; connection closed')
            ctx.auth.throttle.fail(auth.username, ip, 'sftp', { reason: 'too many keys offered' })
            auth.reject(); client.end(); return
          }
          publicKeyLogin(auth, ip).then((r) => {
            if (r === 'query-ok') auth.accept()
            else if (r !== undefined) { user = r; auth.accept() } else auth.reject(methods)
          }, (err: unknown) => { log.error({ err }, 'sftp authentication failed'); auth.reject(methods) })
          return
        }
        if (auth.method !== 'password') { auth.reject(methods); return }
        login(auth.username, auth.password, ip).then((r) => {
          if (r.ok) { user = r.user; auth.accept() } else auth.reject(methods)
        }, (err: unknown) => { log.error({ err }, 'sftp authentication failed'); auth.reject(methods) })
      })
      client.on('ready', () => {
        client.on('session', (accept) => {
          const session = accept()
          session.on('sftp', (acceptSftp) => {
            const sftp = acceptSftp()
            serveSftp({ sftp, user: user!, ctx, tree, uploads, log: log.child({ userId: user!.id }) })
          })
          session.on('shell', (_a, reject) => reject())
          session.on('exec', (_a, reject) => reject())
          session.on('pty', (_a, reject) => reject?.())
          session.on('subsystem', (_a, reject) => reject())
          session.on('x11', (_a, reject) => reject?.())
          session.on('auth-agent', (_a, reject) => reject?.())
          session.on('env', (_a, reject) => reject?.())
        })
        client.on('tcpip', (_a, reject) => reject())
        client.on('openssh.streamlocal', (_a, reject) => reject())
        client.on('request', (_a, reject) => reject?.())
      })
    }

    return {
      name: 'sftp',
      get port () { return port },
      get fingerprint () { return fingerprint },
      routes: sftpRoutes({ keys, info: () => ({ port, fingerprint, publicKey: hostPublicKey }) }),
      get hostKeyPath () { return hostKeyPath },

      async start () {
        const key = await loadOrCreateHostKey(ctx.config.HEARTH_DATA_DIR)
        fingerprint = key.fingerprint
        hostPublicKey = key.publicKey
        hostKeyPath = key.path
        log.info({ fingerprint, path: key.path, created: key.created }, 'sftp host key')
        server = new ssh2.Server({ hostKeys: [key.privateKey], ident: 'Hearth', algorithms: { cipher: CIPHERS } }, (client, info) => onClient(client, info.ip))
        const wanted = ctx.config.HEARTH_SFTP_PORT
        await new Promise<void>((ok, fail) => {
          server!.once('error', (err: NodeJS.ErrnoException) => {
            fail(err.code === 'EADDRINUSE' ? new Error(`SFTP port ${wanted} is already in use: stop the other program or set HEARTH_SFTP_PORT`) : err)
          })
          server!.listen(wanted, host ?? ctx.config.HEARTH_HOST, () => ok())
        })
        port = (server.address() as AddressInfo).port
        log.info({ port }, 'sftp listening')
      },

      async stop () {
        const s = server
        server = undefined
        if (s === undefined) return
        for (const c of clients) c.end()
        await new Promise<void>((ok) => s.close(() => ok()))
      },
    }
  }
}
