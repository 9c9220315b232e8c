/**
 * Every screen's address. Each screen is its own chunk (dynamic import), loaded when first shown.
 * To add a screen: write `screens/<name>.ts` defining a custom element that takes `params` and
 * `query`, and add a line here.
 */
import type { RouteDef } from './router.ts'

export const routes: RouteDef[] = [
  { path: '/auth/login', tag: 'hearth-login', load: () => import('./screens/login.ts'), access: 'public', bare: true },
  { path: '/auth/register', tag: 'hearth-login', load: () => import('./screens/login.ts'), access: 'public', bare: true },
  { path: '/photos', tag: 'hearth-photos', load: () => import('./screens/photos.ts'), nav: 'photos' },
  { path: '/photos/:id', tag: 'hearth-photos', load: () => import('./screens/photos.ts'), nav: 'photos' },
  { path: '/favorites', tag: 'hearth-favorites', load: () => import('./screens/favorites.ts'), nav: 'favorites' },
  { path: '/favorites/:id', tag: 'hearth-favorites', load: () => import('./screens/favorites.ts'), nav: 'favorites' },
  { path: '/locked', tag: 'hearth-locked', load: () => import('./screens/locked.ts'), nav: 'locked' },
  { path: '/locked/:id', tag: 'hearth-locked', load: () => import('./screens/locked.ts'), nav: 'locked' },
  { path: '/archive', tag: 'hearth-archive', load: () => import('./screens/archive.ts'), nav: 'archive' },
  { path: '/archive/:id', tag: 'hearth-archive', load: () => import('./screens/archive.ts'), nav: 'archive' },
  { path: '/trash', tag: 'hearth-trash', load: () => import('./screens/trash.ts'), nav: 'trash' },
  { path: '/trash/:id', tag: 'hearth-trash', load: () => import('./screens/trash.ts'), nav: 'trash' },
  { path: '/search', tag: 'hearth-search', load: () => import('./screens/search.ts'), nav: 'search' },
  { path: '/search/photos/:id', tag: 'hearth-search', load: () => import('./screens/search.ts'), nav: 'search' },
  // Screens built by the albums/sharing/account/admin work; placeholders until they land.
  { path: '/albums', tag: 'hearth-albums', load: () => import('./screens/albums.ts'), nav: 'albums' },
  { path: '/albums/:id', tag: 'hearth-album', load: () => import('./screens/album.ts'), nav: 'albums' },
  { path: '/people', tag: 'hearth-people', load: () => import('./screens/people.ts'), nav: 'people' },
  { path: '/people/:personId', tag: 'hearth-person', load: () => import('./screens/person.ts'), nav: 'people' },
  { path: '/people/:personId/:id', tag: 'hearth-person', load: () => import('./screens/person.ts'), nav: 'people' },
  { path: '/places', tag: 'hearth-places', load: () => import('./screens/places.ts'), nav: 'places' },
  { path: '/places/:country', tag: 'hearth-place', load: () => import('./screens/place.ts'), nav: 'places' },
  { path: '/places/:country/:city', tag: 'hearth-place', load: () => import('./screens/place.ts'), nav: 'places' },
  { path: '/tags', tag: 'hearth-tags', load: () => import('./screens/tags.ts'), nav: 'tags' },
  { path: '/tags/:tagId', tag: 'hearth-tags', load: () => import('./screens/tags.ts'), nav: 'tags' },
  { path: '/tags/:tagId/:id', tag: 'hearth-tags', load: () => import('./screens/tags.ts'), nav: 'tags' },
  { path: '/folders', tag: 'hearth-folders', load: () => import('./screens/folders.ts'), nav: 'folders' },
  { path: '/folders/photos/:id', tag: 'hearth-folders', load: () => import('./screens/folders.ts'), nav: 'folders' },
  { path: '/map', tag: 'hearth-map', load: () => import('./screens/map.ts'), nav: 'map' },
  { path: '/duplicates', tag: 'hearth-duplicates', load: () => import('./screens/duplicates.ts'), nav: 'duplicates' },
  { path: '/sharing', tag: 'hearth-albums', load: () => import('./screens/albums.ts'), nav: 'sharing' },
  { path: '/account', tag: 'hearth-account', load: () => import('./screens/account.ts'), nav: 'account' },
  { path: '/admin/*', tag: 'hearth-admin', load: () => import('./screens/admin.ts'), access: 'admin', nav: 'admin' },
  { path: '/share/:key', tag: 'hearth-share', load: () => import('./screens/share.ts'), access: 'public', bare: true },
]

/** Where `/` and unknown addresses go. */
export const notFound: RouteDef = { path: '*', tag: 'hearth-not-found', load: () => import('./screens/coming-soon.ts') }
