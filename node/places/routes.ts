import { z } from 'zod'
import type { Config } from '../config/schema.ts'
import type { Database } from '../db/index.ts'
import { route } from '../http/route.ts'
import { toAssetDto } from '../assets/dto.ts'
import { createPlacesRepo } from './repo.ts'
import type { PlaceService } from './service.ts'

/** Immich's place searches (suggestions, cities) and Hearth's places listing for the UI. */
const flag = z.enum(['true', 'false']).optional().transform((v) => v === undefined ? undefined : v === 'true')

export function placeRoutes ({ db, config, places }: { db: Database, config: Config, places: Pick<PlaceService, 'search' | 'geocode'> }) {
  const repo = createPlacesRepo(db)
  return [
    route({
      method: 'GET', path: '/api/map/markers', tag: 'Map', access: 'user', permission: 'asset.read',
      summary: 'Every photo and video with a GPS position, newest first, for a map: its id, position and place names (Immich\'s). The timeline\'s; isArchived adds the archive, withSharedAlbums adds the photos of albums shared with you and withPartners those of partners you show in your timeline',
      query: z.object({
        isArchived: flag, isFavorite: flag, withPartners: flag, withSharedAlbums: flag,
        fileCreatedAfter: z.coerce.date({ error: 'fileCreatedAfter: expected a date' }).optional(),
        fileCreatedBefore: z.coerce.date({ error: 'fileCreatedBefore: expected a date' }).optional(),
      }),
      handler: async ({ ctx, auth, query }) => {
        ctx.type = 'application/json'
        return repo.markers(auth.user.id, query)
      },
    }),
    route({
      method: 'GET', path: '/api/map/reverse-geocode', tag: 'Map', access: 'user', permission: 'asset.read',
      summary: 'The city, region and country at a position, named offline (Immich\'s); an empty list out at sea or far from any town',
      query: z.object({
        lat: z.coerce.number({ error: 'lat: expected a latitude' }).min(-90, 'lat: between -90 and 90').max(90, 'lat: between -90 and 90'),
        lon: z.coerce.number({ error: 'lon: expected a longitude' }).min(-180, 'lon: between -180 and 180').max(180, 'lon: between -180 and 180'),
      }),
      handler: async ({ query }) => {
        const names = await places.geocode(query.lat, query.lon)
        return names.country === null ? [] : [names]
      },
    }),
    route({
      method: 'GET', path: '/api/search/places', tag: 'Search', access: 'user', permission: 'asset.read',
      summary: 'Places in the world by name, for setting where a photo was taken (offline: GeoNames\' towns of 1,000 people or more); case and accents aside, the most populous first',
      query: z.object({ name: z.string().trim().min(1, 'type part of a place\'s name').max(200) }),
      handler: async ({ query }) => places.search(query.name, 12),
    }),
    route({
      method: 'GET', path: '/api/search/suggestions', tag: 'Search', access: 'user', permission: 'asset.read',
      summary: 'Distinct values for search filters: countries, regions (of a country), cities (of a country and region), camera makes, models and lenses',
      query: z.object({
        type: z.enum(['country', 'state', 'city', 'camera-make', 'camera-model', 'camera-lens-model']),
        country: z.string().max(200).optional(), state: z.string().max(200).optional(),
        make: z.string().max(200).optional(), model: z.string().max(200).optional(),
        includeNull: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
      }),
      handler: async ({ auth, query }) => repo.suggestions(auth.user.id, query.type, query),
    }),
    route({
      method: 'GET', path: '/api/search/cities', tag: 'Search', access: 'user', permission: 'asset.read',
      summary: 'One photo per city (the newest), with its place in exifInfo',
      handler: async ({ auth }) => (await repo.assetsByCity(auth.user.id)).map((a) => toAssetDto(a, config.HEARTH_DATA_DIR, a.exif)),
    }),
    route({
      method: 'GET', path: '/api/search/explore', tag: 'Search', access: 'user', permission: 'asset.read',
      summary: 'Immich\'s explore: the twelve cities with the most photos, each with its newest photo (fieldName exifInfo.city)',
      handler: async ({ auth }) => [{
        fieldName: 'exifInfo.city',
        items: (await repo.topCities(auth.user.id, 12)).map((a) => ({ value: a.exif.city, data: toAssetDto(a, config.HEARTH_DATA_DIR, a.exif) })),
      }],
    }),
    route({
      method: 'GET', path: '/api/places', tag: 'Search', access: 'user', permission: 'asset.read',
      summary: 'Countries with their cities: how many photos and videos each holds, and a cover photo (the newest)',
      handler: async ({ auth }) => {
        const rows = await repo.places(auth.user.id)
        const countries = new Map<string, { country: string, count: number, coverAssetId: string, cities: Array<{ city: string | null, state: string | null, count: number, coverAssetId: string }> }>()
        for (const r of rows) {
          let c = countries.get(r.country)
          if (c === undefined) { c = { country: r.country, count: 0, coverAssetId: r.coverAssetId, cities: [] }; countries.set(r.country, c) }
          c.count += r.count
          c.cities.push({ city: r.city, state: r.state, count: r.count, coverAssetId: r.coverAssetId })
        }
        for (const c of countries.values()) {
          c.cities.sort((a, b) => b.count - a.count || String(a.city).localeCompare(String(b.city)))
          c.coverAssetId = c.cities[0]!.coverAssetId
        }
        return [...countries.values()].sort((a, b) => b.count - a.count || a.country.localeCompare(b.country))
      },
    }),
  ]
}
