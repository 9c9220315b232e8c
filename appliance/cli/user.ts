import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import type { Config } from '../../node/config/schema.ts'
import { parseBytes } from '../../node/config/schema.ts'
import { openHearthDatabase } from '../../node/backups/service.ts'
import { cliLogger } from '../../node/observability/log.ts'
import { createUserService } from '../../node/users/service.ts'
import { createLibraryStorage } from '../../node/storage/library.ts'
import { userFolder } from '../../node/assets/service.ts'
import { HttpError } from '../../node/http/errors.ts'

/** `hearth user add|list|remove`: works on the database directly (the server must be stopped when it is embedded). */
export async function userCommand (config: Config, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean', default: false },
      quota: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false },
    },
  })
  const db = await openHearthDatabase(config, cliLogger())
  const storage = createLibraryStorage(config.HEARTH_DATA_DIR)
  const users = createUserService({ db, onUserRemoved: async (u) => { await storage.setAsideUserFolder(userFolder(u)) } })
  try {
    switch (sub) {
      case 'add': {
        if (values.email === undefined || values.name === undefined) { console.error('hearth user add: --email and --name are required'); return 64 }
        let quota: number | null = null
        if (values.quota !== undefined) {
          const q = parseBytes(values.quota)
          if (q === undefined) { console.error('hearth user add: --quota expects a size such as 50GiB'); return 64 }
          quota = q
        }
        let password = process.env.HEARTH_NEW_PASSWORD
        let generated = false
        if (values['password-stdin'] === true) password = (await readStdin()).replace(/\r?\n$/, '')
        if (password === undefined || password === '') { password = randomBytes(12).toString('base64url'); generated = true }
        const isFirst = await users.repo.count() === 0
        const user = await users.create({ email: values.email, name: values.name, password, isAdmin: values.admin === true || isFirst, quotaSizeInBytes: quota, shouldChangePassword: generated, storageLabel: isFirst ? 'admin' : null })
        console.log(`Added ${user.email}${user.is_admin ? ' (admin)' : ''}, id ${user.id}`)
        if (generated) console.log(`Password: ${password}\n(shown once; they will be asked to change it at first login)`)
        return 0
      }
      case 'list': {
        for (const u of await users.repo.list()) {
          console.log(`${u.email}\t${u.name}\t${u.is_admin ? 'admin' : 'user'}\tquota ${u.quota_size_in_bytes ?? 'none'}\tused ${u.quota_usage_in_bytes}`)
        }
        return 0
      }
      case 'remove': {
        if (values.email === undefined) { console.error('hearth user remove: --email is required'); return 64 }
        const user = await users.repo.byEmail(values.email)
        if (user === undefined) { console.error(`No user with the email ${values.email}`); return 1 }
        await users.remove(user.id, { actingUserId: 'cli' })
        console.log(`Removed ${user.email}; their originals were set aside under ${resolve(config.HEARTH_DATA_DIR, 'removed-users')}`)
        return 0
      }
      default:
        console.error('Usage: hearth user add|list|remove [--email E] [--name N] [--admin] [--quota SIZE] [--password-stdin]')
        return 64
    }
  } catch (err) {
    if (err instanceof HttpError) { console.error(`hearth user ${sub}: ${err.message}`); return 1 }
    throw err
  } finally {
    await db.close()
  }
}

async function readStdin (): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
