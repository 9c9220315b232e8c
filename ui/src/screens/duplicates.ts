/**
 * Duplicates: groups of copies of one photo (exact or near: resized, recompressed, slightly
 * cropped) side by side, with what tells them apart (resolution, file size, date, how many
 * details are recorded, where the file is). The best copy is chosen to keep; the others go to the
 * trash through the resolve API, or the group is dismissed as not duplicates.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, ApiError, media } from '../api.ts'
import { notify, notifyError } from '../notify.ts'
import { bytes, localDateTime } from '../lib/format.ts'
import type { Asset } from '../types.ts'
import type { DuplicateGroup } from '../ml/types.ts'
import '../albums/lightbox.ts'

type DupAsset = Asset & { originalPath?: string }

const pixels = (a: Asset) => (a.exifInfo?.exifImageWidth ?? a.width ?? 0) * (a.exifInfo?.exifImageHeight ?? a.height ?? 0)
const sizeOf = (a: Asset) => a.exifInfo?.fileSizeInByte ?? a.fileSize ?? 0
/** How many details the file carries (camera, lens, exposure, place, description…). */
export const richness = (a: Asset) => Object.entries(a.exifInfo ?? {}).filter(([k, v]) => k !== 'fileSizeInByte' && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)).length

/** The copy to keep: the most pixels, then the most details, then the largest file, then the oldest. */
export function bestOf (assets: Asset[]): string {
  return [...assets].sort((a, b) => pixels(b) - pixels(a) || richness(b) - richness(a) || sizeOf(b) - sizeOf(a) || a.fileCreatedAt.localeCompare(b.fileCreatedAt))[0]?.id ?? ''
}

export class DuplicatesScreen extends LitElement {
  static override properties = { params: { attribute: false }, query: { attribute: false }, groups: { state: true }, keep: { state: true }, loading: { state: true }, busy: { state: true }, open: { state: true } }
  static override styles = [base, css`
    :host { display: block; height: 100%; overflow-y: auto; }
    header { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; margin-bottom: 6px; }
    header h1 { flex: 1; }
    .hint { margin: 0 0 18px; font-size: .9rem; }
    .group { padding: 14px; margin-bottom: 18px; display: grid; gap: 12px; }
    .group h2 { font-size: 1rem; }
    .copies { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px; list-style: none; margin: 0; padding: 0; }
    @media (max-width: 700px) { .copies { grid-template-columns: repeat(2, 1fr); gap: 8px; } .group { padding: 10px; } }
    .copy { display: grid; gap: 8px; align-content: start; border: 2px solid var(--h-border); border-radius: var(--h-radius); padding: 8px; }
    .copy.keep { border-color: var(--h-ok); }
    .copy.trash { opacity: .8; }
    .copy button.view { all: unset; cursor: zoom-in; display: block; aspect-ratio: 4 / 3; background: var(--h-placeholder); border-radius: 6px; overflow: hidden; }
    .copy button.view:focus-visible { outline: 2px solid var(--h-focus); }
    .copy img { width: 100%; height: 100%; object-fit: contain; display: block; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0; font-size: .85rem; }
    dt { color: var(--h-text-2); }
    dd { margin: 0; overflow-wrap: anywhere; }
    .choice { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
    .choice label { display: flex; flex-direction: row; gap: 6px; align-items: center; font-weight: 600; }
    .choice input { min-height: auto; width: 18px; height: 18px; }
    .tag { font-size: .75rem; padding: 2px 8px; border-radius: 999px; background: var(--h-accent-soft); color: var(--h-accent); }
    .state { font-size: .8rem; font-weight: 600; }
    .state.keep { color: var(--h-ok); } .state.trash { color: var(--h-danger); }
    .actions { display: flex; gap: 8px; flex-wrap: wrap; justify-content: flex-end; }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  groups: DuplicateGroup[] = []
  /** Per group, the ids to keep. */
  keep = new Map<string, Set<string>>()
  loading = true
  busy = ''
  open: { group: DuplicateGroup, index: number } | null = null

  override connectedCallback (): void { super.connectedCallback(); void this.load() }

  private async load (): Promise<void> {
    try {
      this.groups = await api.get<DuplicateGroup[]>('/api/duplicates')
      const keep = new Map<string, Set<string>>()
      for (const g of this.groups) keep.set(g.duplicateId, this.keep.get(g.duplicateId) ?? new Set([bestOf(g.assets)]))
      this.keep = keep
    } catch (err) { notifyError(err) } finally { this.loading = false }
  }

  private toggleKeep (g: DuplicateGroup, id: string, on: boolean): void {
    const set = new Set(this.keep.get(g.duplicateId))
    if (on) set.add(id); else set.delete(id)
    this.keep = new Map(this.keep).set(g.duplicateId, set)
  }

  private done (g: DuplicateGroup): void {
    this.groups = this.groups.filter((x) => x.duplicateId !== g.duplicateId)
  }

  private async resolve (g: DuplicateGroup): Promise<void> {
    const keep = [...(this.keep.get(g.duplicateId) ?? [])]
    const trash = g.assets.map((a) => a.id).filter((id) => !keep.includes(id))
    if (keep.length === 0) return
    this.busy = g.duplicateId
    try {
      try {
        await api.post('/api/duplicates/resolve', { groups: [{ duplicateId: g.duplicateId, keepAssetIds: keep, trashAssetIds: trash }] })
      } catch (err) {
        // Older Immich servers: trash the others, and take the kept ones out of the group.
        if (!(err instanceof ApiError) || err.status !== 404) throw err
        if (trash.length > 0) await api.del('/api/assets', { ids: trash })
        await api.put('/api/assets', { ids: keep, duplicateId: null })
      }
      notify(t.duplicates.resolved(trash.length))
      this.done(g)
    } catch (err) { notifyError(err) } finally { this.busy = '' }
  }

  private async dismiss (g: DuplicateGroup): Promise<void> {
    this.busy = g.duplicateId
    try {
      await api.del(`/api/duplicates/${g.duplicateId}`)
      notify(t.duplicates.dismissed)
      this.done(g)
    } catch (err) { notifyError(err) } finally { this.busy = '' }
  }

  private copy (g: DuplicateGroup, a: DupAsset, index: number, best: string) {
    const kept = this.keep.get(g.duplicateId)?.has(a.id) ?? false
    const w = a.exifInfo?.exifImageWidth ?? a.width
    const h = a.exifInfo?.exifImageHeight ?? a.height
    const resolution = w !== null && h !== null && w !== undefined && h !== undefined ? `${w} × ${h}` : t.duplicates.unknown
    return html`<li class="copy ${kept ? 'keep' : 'trash'}" data-asset=${a.id}>
      <button class="view" @click=${() => { this.open = { group: g, index } }} aria-label=${t.duplicates.photoAlt(a.originalFileName, resolution)}>
        <img src=${media.preview(a.id)} alt=${t.duplicates.photoAlt(a.originalFileName, resolution)} loading="lazy" width="400" height="300"></button>
      <div class="choice">
        <label><input type="checkbox" .checked=${kept} @change=${(e: Event) => this.toggleKeep(g, a.id, (e.target as HTMLInputElement).checked)} aria-label=${t.duplicates.keepLabel(a.originalFileName)}>${t.duplicates.keep}</label>
        ${a.id === best ? html`<span class="tag">${t.duplicates.best}</span>` : nothing}
        <span class="state ${kept ? 'keep' : 'trash'}">${kept ? '' : t.duplicates.trashIt}</span>
      </div>
      <dl>
        <dt>${t.duplicates.resolution}</dt><dd>${resolution}</dd>
        <dt>${t.duplicates.size}</dt><dd>${sizeOf(a) > 0 ? bytes(sizeOf(a)) : t.duplicates.unknown}</dd>
        <dt>${t.duplicates.taken}</dt><dd>${a.localDateTime !== '' ? localDateTime(a.localDateTime) : t.duplicates.noDate}</dd>
        <dt>${t.duplicates.details}</dt><dd>${t.duplicates.richness(richness(a))}</dd>
        <dt>${t.duplicates.path}</dt><dd>${a.originalPath ?? a.originalFileName}</dd>
      </dl>
    </li>`
  }

  override render () {
    const n = this.groups.length
    return html`<div class="page">
      <header><h1>${t.duplicates.title}</h1>${n > 0 ? html`<span class="muted">${t.duplicates.groups(n)}</span>` : nothing}</header>
      ${n > 0 ? html`<p class="hint muted">${t.duplicates.hint}</p>` : nothing}
      ${this.loading ? html`<p class="muted">${t.app.loading}</p>`
        : n === 0 ? html`<p class="muted">${t.duplicates.empty}</p>`
        : this.groups.map((g, i) => {
          const best = bestOf(g.assets)
          const keep = this.keep.get(g.duplicateId)?.size ?? 0
          return html`<section class="group card" aria-labelledby="g-${i}" data-group=${g.duplicateId}>
            <h2 id="g-${i}">${t.duplicates.group(i + 1, n)}</h2>
            <ul class="copies">${g.assets.map((a, j) => this.copy(g, a, j, best))}</ul>
            <div class="actions">
              <button @click=${() => this.dismiss(g)} ?disabled=${this.busy === g.duplicateId}>${t.duplicates.notDuplicates}</button>
              <button class="primary" @click=${() => this.resolve(g)} ?disabled=${keep === 0 || this.busy === g.duplicateId}>${t.duplicates.keepSelected(keep, g.assets.length - keep)}</button>
            </div></section>`
        })}
      ${this.open !== null ? html`<hearth-album-lightbox .assets=${this.open.group.assets} .index=${this.open.index} allowDownload @close=${() => { this.open = null }}></hearth-album-lightbox>` : nothing}
    </div>`
  }
}
customElements.define('hearth-duplicates', DuplicatesScreen)
