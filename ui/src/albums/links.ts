/**
 * <hearth-links>: public links, for their owner: each with its address to copy, what it is set to
 * (note, password, expiry, downloads, for a link to chosen photos how many) and Delete; and, when
 * `target` is set, the form that makes a new one to it (an album, or chosen photos: Immich's ALBUM
 * and INDIVIDUAL links). Fires `changed` (detail: the link made, or undefined) after a link is made
 * or deleted. Used by an album's sharing panel, the Sharing page and the selection bar.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api } from '../api.ts'
import { notify, notifyError } from '../notify.ts'
import type { SharedLink } from './types.ts'

export type LinkTarget = { type: 'ALBUM', albumId: string } | { type: 'INDIVIDUAL', assetIds: string[] }

const linkUrl = (l: SharedLink): string => `${location.origin}/share/${l.key}`

export class Links extends LitElement {
  static override properties = { links: { attribute: false }, target: { attribute: false }, busy: { state: true } }
  static override styles = [base, css`
    :host { display: grid; gap: 10px; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
    li { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
    form { display: flex; gap: 10px; flex-wrap: wrap; align-items: end; }
    form label.check { display: flex; gap: 6px; align-items: center; }
    .link { flex: 1; min-width: 200px; font-size: .9rem; overflow-wrap: anywhere; }
    .tags { font-size: .85rem; }
  `]

  links: SharedLink[] = []
  target: LinkTarget | undefined
  busy = false

  private changed (link?: SharedLink): void { this.dispatchEvent(new CustomEvent('changed', { detail: link })) }

  private async create (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    if (this.target === undefined) return
    const form = e.target as HTMLFormElement
    const data = new FormData(form)
    const expires = String(data.get('expires') ?? '')
    const password = String(data.get('password') ?? '')
    this.busy = true
    try {
      const link = await api.post<SharedLink>('/api/shared-links', {
        ...this.target, allowDownload: data.get('download') === 'on', showMetadata: data.get('metadata') === 'on',
        ...(password !== '' && { password }), ...(expires !== '' && { expiresAt: new Date(`${expires}T23:59:59`).toISOString() }),
        ...(String(data.get('description') ?? '') !== '' && { description: String(data.get('description')) }),
      })
      form.reset()
      notify(t.sharing.linkCreated)
      this.changed(link)
    } catch (err) { notifyError(err) } finally { this.busy = false }
  }

  private async copy (l: SharedLink): Promise<void> {
    try { await navigator.clipboard.writeText(linkUrl(l)); notify(t.sharing.copied) } catch {
      // Without clipboard access (plain http on a LAN address), select the text for the user to copy.
      this.renderRoot.querySelector<HTMLInputElement>(`input[data-link="${l.id}"]`)?.select()
    }
  }

  private async deleteLink (l: SharedLink): Promise<void> {
    try { await api.del(`/api/shared-links/${l.id}`); notify(t.sharing.linkDeleted); this.changed() } catch (err) { notifyError(err) }
  }

  override render () {
    return html`${this.links.length === 0 ? (this.target === undefined ? nothing : html`<p class="muted">${t.sharing.noLinks}</p>`) : html`<ul>${this.links.map((l) => {
        const expired = l.expiresAt !== null && new Date(l.expiresAt).getTime() < Date.now()
        const tags = [l.type === 'INDIVIDUAL' ? t.sharing.photos(l.assets.length) : '', l.description ?? '', l.hasPassword ? t.sharing.protected : '',
          expired ? t.sharing.expired : l.expiresAt !== null ? t.sharing.expiresOn(new Date(l.expiresAt).toLocaleDateString()) : t.sharing.never, l.allowDownload ? '' : t.sharing.downloadsOff]
        return html`<li>
          <input class="link" readonly data-link=${l.id} .value=${linkUrl(l)} aria-label=${t.sharing.copy} @focus=${(e: Event) => (e.target as HTMLInputElement).select()}>
          <span class="tags muted">${tags.filter((x) => x !== '').join(' · ')}</span>
          <button @click=${() => this.copy(l)}>${t.sharing.copy}</button>
          <button class="danger" @click=${() => this.deleteLink(l)}>${t.sharing.deleteLink}</button></li>`
      })}</ul>`}
      ${this.target === undefined ? nothing : html`<form @submit=${this.create}>
        <label>${t.sharing.password}<input name="password" type="password" autocomplete="new-password"></label>
        <label>${t.sharing.expires}<input name="expires" type="date"></label>
        <label>${t.sharing.linkDescription}<input name="description" maxlength="200"></label>
        <label class="check"><input type="checkbox" name="download" checked> ${t.sharing.allowDownload}</label>
        <label class="check"><input type="checkbox" name="metadata" checked> ${t.sharing.showMetadata}</label>
        <button class="primary" type="submit" ?disabled=${this.busy}>${t.sharing.newLink}</button>
      </form>`}`
  }
}
customElements.define('hearth-links', Links)
