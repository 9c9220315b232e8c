/** Shapes of the People, Places, Duplicates and ML settings replies (Immich's where Immich has one). */
import type { Asset } from '../types.ts'

export interface Person { id: string, name: string, birthDate: string | null, thumbnailPath: string, isHidden: boolean, isFavorite?: boolean, updatedAt?: string }
export interface PeopleList { total: number, hidden: number, people: Person[], hasNextPage?: boolean }

export interface PlaceCity { city: string | null, state: string | null, count: number, coverAssetId: string }
export interface PlaceCountry { country: string, count: number, coverAssetId: string, cities: PlaceCity[] }

export interface DuplicateGroup { duplicateId: string, assets: Asset[] }

export interface MlWindow { start: string, end: string, paused: boolean, runNow: { until: string | null, untilEmpty: boolean } | null, outsideConcurrency: number }
export interface SystemConfig { machineLearning?: Record<string, unknown>, job?: Record<string, unknown>, hearth?: { mlWindow?: MlWindow } }
export interface ModelStatus { pack: string, model: string, family?: string, state: 'ready' | 'missing' | 'wrong-size' | 'corrupt', size?: number }
export interface StageStatus { name: string, queue: string, available: boolean, total: number, done: number }
