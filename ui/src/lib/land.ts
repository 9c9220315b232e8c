/**
 * The map's background: the world's countries from Natural Earth (the world-atlas package, public
 * domain data) drawn in the map's Mercator world units, on this server's own files: no map tiles,
 * so nothing about where the family has been leaves the house. Coarse (1:110m, 40 KB gzipped) for
 * the world and continents; fine (1:50m, 230 KB) once zoomed to a country, each loaded once.
 */
import { geoMercator, geoPath } from 'd3-geo'
import { feature } from 'topojson-client'
import type { GeometryCollection, Topology } from 'topojson-specification'
import { WORLD } from './map.ts'

export interface Country { name: string, d: string }
export type Detail = 'coarse' | 'fine'

/** The zoom from which the fine outlines are worth their download. */
export const FINE_FROM_ZOOM = 4

const cache = new Map<Detail, Promise<Country[]>>()

export function land (detail: Detail): Promise<Country[]> {
  let p = cache.get(detail)
  if (p === undefined) {
    p = (detail === 'coarse' ? import('world-atlas/countries-110m.json') : import('world-atlas/countries-50m.json')).then((m) => paths(m.default))
    p.catch(() => cache.delete(detail))
    cache.set(detail, p)
  }
  return p
}

/** SVG path data per country; d3's projection cuts shapes that cross the antimeridian (Russia, Fiji). */
function paths (topology: Topology): Country[] {
  const projection = geoMercator().scale(WORLD / (2 * Math.PI)).translate([WORLD / 2, WORLD / 2])
  const path = geoPath(projection).digits(4)
  const countries = feature(topology, topology.objects.countries as GeometryCollection<{ name: string }>)
  return countries.features.map((f) => ({ name: f.properties?.name ?? '', d: path(f) ?? '' })).filter((c) => c.d !== '')
}
