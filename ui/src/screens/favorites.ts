/** /favorites: the timeline of favourites. */
import { html } from 'lit'
import { GridScreen } from './photos.ts'
import { t } from '../strings.ts'

export class FavoritesScreen extends GridScreen {
  protected override mode = 'favorites' as const
  protected override basePath = '/favorites'
  protected override filters = { visibility: 'timeline', isFavorite: 'true' }
  protected override header () { return html`<div class="head"><h1>${t.nav.favorites}</h1></div>` }
}
customElements.define('hearth-favorites', FavoritesScreen)
