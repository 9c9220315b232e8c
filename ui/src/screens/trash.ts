/** /trash: what was deleted, to restore (one, a selection, or all) or delete for good. */
import { html } from 'lit'
import { GridScreen } from './photos.ts'
import { t } from '../strings.ts'
import { session } from '../session.ts'
import { notify, notifyError } from '../notify.ts'
import { actions } from '../lib/actions.ts'
import type { Timeline } from '../components/timeline.ts'

export class TrashScreen extends GridScreen {
  protected override mode = 'trash' as const
  protected override basePath = '/trash'
  protected override filters = { isTrashed: 'true' }

  private async all (what: 'restore' | 'empty'): Promise<void> {
    try {
      const { count } = what === 'restore' ? await actions.restoreAll() : await actions.emptyTrash()
      if (what === 'restore') notify(t.selection.restored(count))
      await (this.renderRoot.querySelector('hearth-timeline') as Timeline).reload()
    } catch (err) { notifyError(err) }
  }

  protected override header () {
    return html`<div class="head"><h1>${t.nav.trash}</h1>
      <span class="muted">${session.config === null ? '' : t.screens.trashNote(session.config.trashDays)}</span>
      <button @click=${() => this.all('restore')}>${t.screens.restoreAll}</button>
      <button class="danger" @click=${() => { if (confirm(t.screens.emptyTrashConfirm)) void this.all('empty') }}>${t.screens.emptyTrash}</button></div>`
  }
}
customElements.define('hearth-trash', TrashScreen)
