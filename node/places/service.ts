/**
 * Places: names GPS positions (city, region, country) with the offline geocoder, for new assets
 * through the ingest's `geocode` port and for assets stored before (a backlog that pages through
 * them once at start and again whenever asked). Idempotent: only assets with a position and no
 * place name are read, so an interrupted backlog resumes where it stopped.
 *
 * @example
 * const places = createPlaceService({ db, log })
 * createIngestService({ ..., geocode: places.geocode })
 * await places.backfill()   // { named: 120, unnamed: 3 }
 */
import type { Logger } from 'pino'
import type { Database } from '../db/index.ts'
import { createGeocoder, type Geocoder, type GeocoderOptions } from './geocoder.ts'
import { createPlacesRepo } from './repo.ts'

export interface PlaceNames { city: string | null, state: string | null, country: string | null }

export function createPlaceService ({ db, log, geocoder = createGeocoder(), pageSize = 2000 }: {
  db: Database, log: Logger, geocoder?: Geocoder, pageSize?: number
} & GeocoderOptions) {
  const repo = createPlacesRepo(db)
  let running: Promise<{ named: number, unnamed: number }> | undefined
  let stopping = false

  async function geocode (latitude: number | null, longitude: number | null): Promise<PlaceNames> {
    if (latitude === null || longitude === null) return { city: null, state: null, country: null }
    const place = await geocoder.reverse(latitude, longitude)
    return { city: place?.city ?? null, state: place?.state ?? null, country: place?.country ?? null }
  }

  async function run () {
    let after: string | null = null
    let named = 0; let unnamed = 0
    for (;;) {
      if (stopping) break
      const page = await repo.unnamed(after, pageSize)
      if (page.length === 0) break
      const rows = []
      for (const p of page) {
        const names = await geocode(p.latitude, p.longitude)
        if (names.country === null) unnamed++
        else { named++; rows.push({ assetId: p.assetId, ...names }) }
      }
      await repo.setNames(rows)
      after = page.at(-1)!.assetId
    }
    if (named > 0) log.info({ named, unnamed }, 'named the places of stored photos')
    return { named, unnamed }
  }

  return {
    repo,
    geocode,
    /** Places by name, for the owner choosing where a photo was taken. */
    search: (query: string, limit?: number) => geocoder.search(query, limit),
    /** Names every stored asset that has a position and no place yet. One run at a time. */
    backfill (): Promise<{ named: number, unnamed: number }> {
      running ??= run().finally(() => { running = undefined })
      return running
    },
    /** Starts the backlog in the background (at node start). */
    start () {
      stopping = false
      void this.backfill().catch((err: unknown) => log.error({ err }, 'naming the places of stored photos failed'))
    },
    async stop () {
      stopping = true
      await running?.catch(() => {})
    },
  }
}

export type PlaceService = ReturnType<typeof createPlaceService>
