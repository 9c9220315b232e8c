/** /archive: what the owner archived (out of the timeline, still in albums and search), to unarchive. */
import { html } from 'lit'
import { GridScreen } from './photos.ts'
import { t } from '../strings.ts'

export class ArchiveScreen extends GridScreen {
  protected override mode = 'archive' as const
  protected override basePath = '/archive'
  protected override filters = { visibility: 'archive', withStacked: 'true' }
  protected override header () { return html`<div class="head"><h1>${t.nav.archive}</h1><span class="muted">${t.screens.archiveHint}</span></div>` }
}
customElements.define('hearth-archive', ArchiveScreen)
