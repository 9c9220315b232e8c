/** <hearth-info-panel>: an asset's details beside the viewer (a bottom sheet at phone width). */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { icon } from '../icons.ts'
import { api } from '../api.ts'
import { session } from '../session.ts'
import { notify, notifyError } from '../notify.ts'
import { localDateTime, bytes } from '../lib/format.ts'
import type { Album, Asset } from '../types.ts'

export class InfoPanel extends LitElement {
  static override properties = { asset: { attribute: false }, albums: { state: true }, ocr: { state: true }, people: { state: true } }
  static override styles = [base, css`
    :host { display: block; background: var(--h-surface); color: var(--h-text); overflow-y: auto; border-left: 1px solid var(--h-border); }
    .head { display: flex; align-items: center; padding: 10px 10px 10px 18px; position: sticky; top: 0; background: var(--h-surface); }
    .head h2 { flex: 1; }
    dl { margin: 0; padding: 0 18px 24px; display: grid; gap: 14px; }
    dt { font-size: .78rem; text-transform: uppercase; letter-spacing: .04em; color: var(--h-text-2); }
    dd { margin: 2px 0 0; overflow-wrap: anywhere; }
    .sub { color: var(--h-text-2); font-size: .88rem; }
    ul { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 6px; }
    li.chip { background: var(--h-surface-2); border-radius: 999px; padding: 2px 10px; font-size: .88rem; }
    pre { white-space: pre-wrap; font: inherit; margin: 0; }
    textarea { width: 100%; box-sizing: border-box; resize: vertical; min-height: 2.6em; }
  `]

  asset: Asset | undefined
  albums: Album[] | undefined
  ocr = ''
  people: Array<{ id: string, name: string }> = []
  private loadedFor = ''

  /** Albums, recognised text and people come from their own endpoints; each is shown when it answers. */
  override willUpdate (): void {
    const id = this.asset?.id
    if (id === undefined || id === this.loadedFor) return
    this.loadedFor = id
    this.albums = undefined
    this.ocr = ''
    this.people = []
    const mine = () => this.loadedFor === id
    api.get<Album[]>(`/api/albums?assetId=${id}`).then((a) => { if (mine()) this.albums = a }, () => {})
    api.get<Array<{ text: string }>>(`/api/assets/${id}/ocr`).then((lines) => { if (mine()) this.ocr = lines.map((l) => l.text).join('\n') }, () => {})
    api.get<Array<{ person: { id: string, name: string } | null }>>(`/api/faces?id=${id}`).then((faces) => {
      if (!mine()) return
      const seen = new Map<string, { id: string, name: string }>()
      for (const f of faces) if (f.person !== null) seen.set(f.person.id, f.person)
      this.people = [...seen.values()]
    }, () => {})
  }

  /**
   * Saves the owner's description when the box loses focus changed (Immich's way), and tells the
   * viewer (`asset-updated`), which holds the asset this panel shows.
   */
  private async saveDescription (e: Event): Promise<void> {
    const a = this.asset
    const box = e.target as HTMLTextAreaElement
    if (a === undefined) return
    const description = box.value.trim()
    try {
      const updated = await api.put<Asset>(`/api/assets/${a.id}`, { description })
      this.dispatchEvent(new CustomEvent('asset-updated', { detail: { id: a.id, exifInfo: updated.exifInfo } }))
      notify(t.viewer.descriptionSaved)
    } catch (err) {
      notifyError(err)
    }
  }

  private renderDescription (a: Asset) {
    const text = a.exifInfo?.description ?? ''
    if (a.ownerId === undefined || a.ownerId !== session.user?.id) return text === '' ? nothing : html`<div><dt>${t.viewer.description}</dt><dd>${text}</dd></div>`
    return html`<div><dt><label for="description">${t.viewer.description}</label></dt><dd>
      <textarea id="description" rows="2" placeholder=${t.viewer.addDescription} title=${t.viewer.descriptionHint} maxlength="10000" .value=${text} @change=${this.saveDescription}></textarea></dd></div>`
  }

  override render () {
    const a = this.asset
    if (a === undefined) return nothing
    const e = a.exifInfo
    const camera = [e?.make, e?.model].filter((x) => x !== null && x !== undefined && x !== '').join(' ')
    const exposure = [
      e?.fNumber != null ? `ƒ/${e.fNumber}` : '', e?.exposureTime != null ? `${e.exposureTime} s` : '',
      e?.focalLength != null ? `${e.focalLength} mm` : '', e?.iso != null ? `ISO ${e.iso}` : '',
    ].filter((x) => x !== '').join(' · ')
    const place = [e?.city, e?.state, e?.country].filter((x) => x !== null && x !== undefined && x !== '').join(', ')
    const lat = e?.latitude
    const lon = e?.longitude
    const hasPos = lat != null && lon != null
    const w = e?.exifImageWidth ?? a.width
    const h = e?.exifImageHeight ?? a.height
    return html`<div class="head"><h2>${t.viewer.details}</h2>
      <button class="icon" aria-label=${t.upload.dismiss} title=${t.upload.dismiss} @click=${() => this.dispatchEvent(new CustomEvent('close'))}>${icon('close')}</button></div>
      <dl>
        ${this.renderDescription(a)}
        <div><dt>${t.viewer.taken}</dt><dd>${localDateTime(a.localDateTime)}${e?.timeZone ? html`<div class="sub">${t.viewer.timeZone(e.timeZone)}</div>` : nothing}</dd></div>
        <div><dt>${t.viewer.file}</dt><dd>${a.originalFileName}<div class="sub">${[w != null && h != null ? t.viewer.dimensions(w, h) : '', e?.fileSizeInByte ? bytes(e.fileSizeInByte) : a.fileSize ? bytes(a.fileSize) : '', a.originalMimeType].filter((x) => x !== '').join(' · ')}</div></dd></div>
        ${camera !== '' ? html`<div><dt>${t.viewer.camera}</dt><dd>${camera}</dd></div>` : nothing}
        ${e?.lensModel ? html`<div><dt>${t.viewer.lens}</dt><dd>${e.lensModel}</dd></div>` : nothing}
        ${exposure !== '' ? html`<div><dt>${t.viewer.exposure}</dt><dd>${exposure}</dd></div>` : nothing}
        ${place !== '' ? html`<div><dt>${t.viewer.place}</dt><dd>${place}</dd></div>` : nothing}
        ${hasPos ? html`<div><dt>${t.viewer.position}</dt><dd>${lat.toFixed(5)}, ${lon.toFixed(5)}
          <div><a href="https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=15/${lat}/${lon}" target="_blank" rel="noopener noreferrer">${t.viewer.openMap}</a></div></dd></div>` : nothing}
        ${this.people.length > 0 ? html`<div><dt>${t.viewer.people}</dt><dd><ul>${this.people.map((p) => html`<li class="chip"><a href="/people/${p.id}">${p.name === '' ? t.viewer.unnamed : p.name}</a></li>`)}</ul></dd></div>` : nothing}
        ${this.ocr !== '' ? html`<div><dt>${t.viewer.text}</dt><dd><pre>${this.ocr}</pre></dd></div>` : nothing}
        ${(e?.keywords?.length ?? 0) > 0 ? html`<div><dt>${t.viewer.keywords}</dt><dd><ul>${e!.keywords!.map((k) => html`<li class="chip">${k}</li>`)}</ul></dd></div>` : nothing}
        ${(this.albums?.length ?? 0) > 0 ? html`<div><dt>${t.viewer.albums}</dt><dd><ul>${this.albums!.map((al) => html`<li><a href="/albums/${al.id}">${al.albumName}</a></li>`)}</ul></dd></div>` : nothing}
      </dl>`
  }
}
customElements.define('hearth-info-panel', InfoPanel)
