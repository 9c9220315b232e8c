/** <hearth-info-panel>: an asset's details beside the viewer (a bottom sheet at phone width). */
import { LitElement, html, css, nothing } from 'lit'
import { repeat } from 'lit/directives/repeat.js'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { icon } from '../icons.ts'
import { api, media } from '../api.ts'
import { session } from '../session.ts'
import { notify, notifyError } from '../notify.ts'
import { localDateTime, bytes } from '../lib/format.ts'
import type { Album, Asset, Tag } from '../types.ts'
import { actions } from '../lib/actions.ts'
import type { PeopleList, Person } from '../ml/types.ts'
import './place-picker.ts'

/** A face on the photo (GET /api/faces?id=), boxes in the preview's pixels. */
interface Face { id: string, imageWidth: number, imageHeight: number, boundingBoxX1: number, boundingBoxY1: number, boundingBoxX2: number, boundingBoxY2: number, person: { id: string, name: string } | null }

/** "Lisbon, Portugal": the place names the server gave a position ('' for none). */
const placeName = (e: Asset['exifInfo']) => [e?.city, e?.state, e?.country].filter((x) => x !== null && x !== undefined && x !== '').join(', ')

export class InfoPanel extends LitElement {
  static override properties = { asset: { attribute: false }, albums: { state: true }, ocr: { state: true }, faces: { state: true }, editingFaces: { state: true }, named: { state: true }, editing: { state: true }, allTags: { state: true } }
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
    dt button { margin-left: 8px; min-height: 0; padding: 0 8px; font-size: .75rem; text-transform: none; letter-spacing: 0; }
    ul.faces { display: grid; gap: 8px; }
    ul.faces li { display: flex; align-items: center; gap: 10px; }
    ul.faces select { flex: 1; min-width: 0; }
    .stars { display: flex; gap: 0; margin-left: -8px; }
    .stars button { color: var(--h-accent); }
    form.date { display: grid; gap: 8px; }
    form.date label { display: grid; gap: 2px; font-size: .85rem; color: var(--h-text-2); }
    .actions { display: flex; gap: 8px; justify-content: flex-end; }
    ul.tags { margin-bottom: 6px; }
    ul.tags li { display: inline-flex; align-items: center; gap: 2px; padding-right: 2px; }
    ul.tags button.x { min-height: 0; width: 22px; height: 22px; padding: 0; }
    ul.tags button.x svg { width: 14px; height: 14px; }
    form.add-tag input { width: 100%; box-sizing: border-box; }
    .crop { width: 44px; height: 44px; border-radius: 50%; flex: none; background: var(--h-placeholder) no-repeat; }
  `]

  asset: Asset | undefined
  albums: Album[] | undefined
  ocr = ''
  faces: Face[] = []
  /** The owner's named people, for giving a face to one of them (loaded when editing starts). */
  named: Person[] = []
  editingFaces = false
  /** The owner's tags, for the add box's suggestions (loaded when it is first focused). */
  allTags: Tag[] | undefined
  /** The date or the place, while the owner edits it. */
  editing: 'date' | 'place' | undefined
  private loadedFor = ''

  /** Each person on the photo once. */
  private get people (): Array<{ id: string, name: string }> {
    const seen = new Map<string, { id: string, name: string }>()
    for (const f of this.faces) if (f.person !== null) seen.set(f.person.id, f.person)
    return [...seen.values()]
  }

  /** Albums, recognised text and people come from their own endpoints; each is shown when it answers. */
  override willUpdate (): void {
    const id = this.asset?.id
    if (id === undefined || id === this.loadedFor) return
    this.loadedFor = id
    this.albums = undefined
    this.ocr = ''
    this.faces = []
    this.editingFaces = false
    this.editing = undefined
    const mine = () => this.loadedFor === id
    api.get<Album[]>(`/api/albums?assetId=${id}`).then((a) => { if (mine()) this.albums = a }, () => {})
    api.get<Array<{ text: string }>>(`/api/assets/${id}/ocr`).then((lines) => { if (mine()) this.ocr = lines.map((l) => l.text).join('\n') }, () => {})
    // People are the owner's (a partner's photo shows no names).
    if (this.owned) void this.loadFaces(id)
  }

  private async loadFaces (id: string): Promise<void> {
    try {
      const faces = await api.get<Face[]>(`/api/faces?id=${id}`)
      if (this.loadedFor === id) this.faces = faces
    } catch { /* not the owner's, or no faces yet: nothing to show */ }
  }

  private get owned (): boolean {
    return this.asset?.ownerId !== undefined && this.asset.ownerId === session.user?.id
  }

  private async editFaces (): Promise<void> {
    this.editingFaces = !this.editingFaces
    if (!this.editingFaces) return
    try {
      this.named = (await api.get<PeopleList>('/api/people?size=1000&withHidden=true')).people.filter((p) => p.name !== '')
    } catch (err) { notifyError(err) }
  }

  /**
   * Gives a face to another person (Immich's "this is not …"): one of the owner's named people
   * (PUT /api/faces/{id}), or a new person of its own (POST /api/faces/{id}/person, one step, so a
   * failure leaves no empty person behind). A wrong grouping is split so.
   */
  private async moveFace (face: Face, to: string): Promise<void> {
    const id = this.loadedFor
    try {
      if (to === 'new') {
        await api.post<Person>(`/api/faces/${face.id}/person`, {})
        notify(t.viewer.faceMovedNew)
      } else {
        const person = this.named.find((p) => p.id === to)
        if (person === undefined) return
        await api.put(`/api/faces/${face.id}`, { id: person.id })
        notify(t.viewer.faceMoved(person.name))
      }
    } catch (err) {
      notifyError(err)
    }
    await this.loadFaces(id)
  }

  /** The face's box cut out of the preview, as a round crop (CSS only: no request per face). */
  private crop (f: Face) {
    const size = 44
    const w = f.boundingBoxX2 - f.boundingBoxX1
    const h = f.boundingBoxY2 - f.boundingBoxY1
    const k = size / Math.max(1, w, h)
    const x = f.boundingBoxX1 * k - (size - w * k) / 2
    const y = f.boundingBoxY1 * k - (size - h * k) / 2
    return `background-image:url(${media.preview(this.asset!.id)});background-size:${f.imageWidth * k}px ${f.imageHeight * k}px;background-position:${-x}px ${-y}px`
  }

  private renderPeople () {
    const people = this.people
    const unknown = this.faces.filter((f) => f.person === null).length
    const chips = html`<ul>${people.map((p) => html`<li class="chip"><a href="/people/${p.id}">${p.name === '' ? t.viewer.unnamed : p.name}</a></li>`)}</ul>`
    if (!this.owned) return people.length === 0 ? nothing : html`<div><dt>${t.viewer.people}</dt><dd>${chips}</dd></div>`
    if (this.faces.length === 0) return nothing
    const choices = (f: Face) => {
      const others = this.named.filter((p) => p.id !== f.person?.id)
      return html`${f.person === null ? html`<option value="" selected disabled>${t.viewer.unknownFace}</option>` : html`<option value=${f.person.id} selected>${f.person.name === '' ? t.viewer.unnamed : f.person.name}</option>`}
        ${others.map((p) => html`<option value=${p.id}>${p.name}</option>`)}<option value="new">${t.viewer.newPerson}</option>`
    }
    return html`<div><dt>${t.viewer.people}<button type="button" aria-pressed=${this.editingFaces ? 'true' : 'false'} @click=${() => this.editFaces()}>${this.editingFaces ? t.viewer.doneEditing : t.viewer.editPeople}</button></dt><dd>
      ${this.editingFaces
        // Keyed by face and person: after a move the select is made afresh, showing the face's new person.
        ? html`<ul class="faces">${repeat(this.faces, (f) => `${f.id}:${f.person?.id ?? ''}`, (f, i) => html`<li><span class="crop" style=${this.crop(f)} aria-hidden="true"></span>
            <select aria-label=${t.viewer.whoIsFace(i + 1)} @change=${(e: Event) => this.moveFace(f, (e.target as HTMLSelectElement).value)}>${choices(f)}</select></li>`)}</ul>`
        : html`${people.length === 0 ? nothing : chips}
          ${unknown === 0 ? nothing : html`<div class="sub">${t.viewer.unrecognised(unknown)}</div>`}`}</dd></div>`
  }

  /**
   * Saves the owner's change to the asset (PUT /api/assets/{id}) and tells the viewer
   * (`asset-updated`), which holds the asset this panel shows. True when saved.
   */
  private async save (patch: Record<string, unknown>, saved: string | ((updated: Asset) => string)): Promise<boolean> {
    const a = this.asset
    if (a === undefined) return false
    try {
      const updated = await api.put<Asset>(`/api/assets/${a.id}`, patch)
      this.dispatchEvent(new CustomEvent('asset-updated', { detail: { id: a.id, exifInfo: updated.exifInfo, localDateTime: updated.localDateTime, fileCreatedAt: updated.fileCreatedAt } }))
      notify(typeof saved === 'string' ? saved : saved(updated))
      return true
    } catch (err) {
      notifyError(err)
      return false
    }
  }

  /**
   * A new date: the wall-clock time typed, in the photo's own time zone unless another is typed
   * (the server reads it so, and keeps the zone).
   */
  private async saveDate (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = new FormData(e.target as HTMLFormElement)
    const when = String(form.get('when') ?? '')
    const zone = String(form.get('zone') ?? '').trim()
    if (when === '') return
    const patch: Record<string, unknown> = { dateTimeOriginal: when.length === 16 ? `${when}:00` : when }
    if (zone !== '' && zone !== (this.asset?.exifInfo?.timeZone ?? '')) patch.timeZone = zone
    if (await this.save(patch, t.viewer.dateSaved)) this.editing = undefined
  }

  private async savePlace (e: CustomEvent<{ latitude: number, longitude: number, label: string }>): Promise<void> {
    // Said with the names the server gave the position (coordinates typed become "Paris, France").
    const named = (a: Asset) => placeName(a.exifInfo) || e.detail.label
    if (await this.save({ latitude: e.detail.latitude, longitude: e.detail.longitude }, (a) => t.viewer.placeSaved(named(a)))) this.editing = undefined
  }

  /** The heading of a row the owner may edit, with its Edit / Cancel button. */
  private editableTitle (title: string, what: 'date' | 'place', label: string) {
    if (!this.owned) return html`<dt>${title}</dt>`
    const on = this.editing === what
    return html`<dt>${title}<button type="button" aria-label=${on ? t.viewer.cancel : label} aria-expanded=${on ? 'true' : 'false'} @click=${() => { this.editing = on ? undefined : what }}>${on ? t.viewer.cancel : t.viewer.edit}</button></dt>`
  }

  private renderTaken (a: Asset) {
    const zone = a.exifInfo?.timeZone
    if (this.editing === 'date') {
      return html`<div>${this.editableTitle(t.viewer.taken, 'date', t.viewer.editDate)}<dd><form class="date" @submit=${this.saveDate} title=${t.viewer.editHint}>
        <label>${t.viewer.dateTime}<input type="datetime-local" name="when" step="1" required .value=${a.localDateTime.slice(0, 19)}></label>
        <label>${t.viewer.zone}<input name="zone" list="zones" autocomplete="off" placeholder=${t.viewer.photoZone} .value=${zone ?? ''}></label>
        <datalist id="zones">${Intl.supportedValuesOf('timeZone').map((z) => html`<option value=${z}></option>`)}</datalist>
        <div class="actions"><button type="submit" class="primary">${t.viewer.save}</button></div></form></dd></div>`
    }
    return html`<div>${this.editableTitle(t.viewer.taken, 'date', t.viewer.editDate)}<dd>${localDateTime(a.localDateTime)}${zone ? html`<div class="sub">${t.viewer.timeZone(zone)}</div>` : nothing}</dd></div>`
  }

  private renderPlace (place: string) {
    if (this.editing === 'place') {
      return html`<div>${this.editableTitle(t.viewer.place, 'place', t.viewer.editPlace)}<dd><hearth-place-picker @pick=${this.savePlace}></hearth-place-picker></dd></div>`
    }
    if (place === '' && !this.owned) return nothing
    return html`<div>${this.editableTitle(t.viewer.place, 'place', place === '' ? t.viewer.addPlace : t.viewer.editPlace)}<dd>${place === '' ? html`<span class="sub">${t.viewer.noPlace}</span>` : place}</dd></div>`
  }

  /** Tells the viewer the photo's tags changed (it holds the asset this panel shows). */
  private tagsChanged (tags: Tag[]): void {
    this.dispatchEvent(new CustomEvent('asset-updated', { detail: { id: this.asset!.id, tags } }))
  }

  /** A tag typed (an existing one, or a new path such as Family/Grandma, made then). */
  private async addTag (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const value = String(new FormData(form).get('tag') ?? '').trim()
    const a = this.asset
    if (value === '' || a === undefined) return
    try {
      const tag = await actions.tag(value, [a.id])
      form.reset()
      this.allTags = undefined
      if (!(a.tags ?? []).some((x) => x.id === tag.id)) this.tagsChanged([...(a.tags ?? []), tag].sort((x, y) => x.value.localeCompare(y.value)))
      notify(t.viewer.tagged(tag.value))
    } catch (err) { notifyError(err) }
  }

  private async removeTag (tag: Tag): Promise<void> {
    const a = this.asset
    if (a === undefined) return
    try {
      await actions.untag(tag.id, [a.id])
      this.tagsChanged((a.tags ?? []).filter((x) => x.id !== tag.id))
      notify(t.viewer.untagged(tag.value))
    } catch (err) { notifyError(err) }
  }

  private renderTags (a: Asset) {
    if (!this.owned) return nothing
    const tags = a.tags ?? []
    return html`<div><dt><label for="tag">${t.viewer.tags}</label></dt><dd>
      ${tags.length === 0 ? nothing : html`<ul class="tags">${tags.map((tag) => html`<li class="chip"><a href="/tags/${tag.id}">${tag.value}</a><button type="button" class="icon x" aria-label=${t.viewer.removeTag(tag.value)} title=${t.viewer.removeTag(tag.value)} @click=${() => this.removeTag(tag)}>${icon('close')}</button></li>`)}</ul>`}
      <form class="add-tag" @submit=${this.addTag}><input id="tag" name="tag" list="tag-list" autocomplete="off" maxlength="1000" placeholder=${t.viewer.addTag} title=${t.viewer.tagHint}
        @focus=${() => { if (this.allTags === undefined) actions.tags().then((x) => { this.allTags = x }, () => {}) }}>
        <datalist id="tag-list">${(this.allTags ?? []).filter((x) => !tags.some((y) => y.id === x.id)).map((x) => html`<option value=${x.value}></option>`)}</datalist></form></dd></div>`
  }

  /** The description, saved when the box loses focus changed (Immich's way). */
  private saveDescription (e: Event): Promise<boolean> {
    return this.save({ description: (e.target as HTMLTextAreaElement).value.trim() }, t.viewer.descriptionSaved)
  }

  /** Stars 1-5 for the owner; the star already given clears the rating (Immich's). */
  private rate (n: number): Promise<boolean> {
    const rating = this.asset?.exifInfo?.rating === n ? null : n
    return this.save({ rating }, t.viewer.ratingSaved(rating))
  }

  private renderRating (a: Asset) {
    const rating = Math.max(0, a.exifInfo?.rating ?? 0)
    if (!this.owned) return rating === 0 ? nothing : html`<div><dt>${t.viewer.rating}</dt><dd aria-label=${t.viewer.ratingOf(rating)}>${'★'.repeat(rating)}${'☆'.repeat(5 - rating)}</dd></div>`
    return html`<div><dt>${t.viewer.rating}</dt><dd><div class="stars" role="group" aria-label=${t.viewer.rating}>${[1, 2, 3, 4, 5].map((n) =>
      html`<button type="button" class="icon" aria-label=${t.viewer.stars(n)} aria-pressed=${rating === n ? 'true' : 'false'} @click=${() => this.rate(n)}>${icon(n <= rating ? 'star' : 'starOutline')}</button>`)}</div></dd></div>`
  }

  private renderDescription (a: Asset) {
    const text = a.exifInfo?.description ?? ''
    if (!this.owned) return text === '' ? nothing : html`<div><dt>${t.viewer.description}</dt><dd>${text}</dd></div>`
    return html`<div><dt><label for="description">${t.viewer.description}</label></dt><dd>
      <textarea id="description" rows="2" placeholder=${t.viewer.addDescription} title=${t.viewer.descriptionHint} maxlength="10000" .value=${text} @change=${this.saveDescription}></textarea></dd></div>`
  }

  override render () {
    const a = this.asset
    if (a === undefined) return nothing
    const e = a.exifInfo
    // "Canon EOS 40D", not "Canon Canon EOS 40D": most models already begin with their make.
    const make = e?.make ?? ''
    const model = e?.model ?? ''
    const camera = model.toLowerCase().startsWith(make.toLowerCase()) ? model : [make, model].filter((x) => x !== '').join(' ')
    const exposure = [
      e?.fNumber != null ? `ƒ/${e.fNumber}` : '', e?.exposureTime != null ? `${e.exposureTime} s` : '',
      e?.focalLength != null ? `${e.focalLength} mm` : '', e?.iso != null ? `ISO ${e.iso}` : '',
    ].filter((x) => x !== '').join(' · ')
    const place = placeName(e)
    const lat = e?.latitude
    const lon = e?.longitude
    const hasPos = lat != null && lon != null
    const w = e?.exifImageWidth ?? a.width
    const h = e?.exifImageHeight ?? a.height
    return html`<div class="head"><h2>${t.viewer.details}</h2>
      <button class="icon" aria-label=${t.upload.dismiss} title=${t.upload.dismiss} @click=${() => this.dispatchEvent(new CustomEvent('close'))}>${icon('close')}</button></div>
      <dl>
        ${this.renderDescription(a)}
        ${this.renderRating(a)}
        ${this.renderTaken(a)}
        <div><dt>${t.viewer.file}</dt><dd>${a.originalFileName}<div class="sub">${[w != null && h != null ? t.viewer.dimensions(w, h) : '', e?.fileSizeInByte ? bytes(e.fileSizeInByte) : a.fileSize ? bytes(a.fileSize) : '', a.originalMimeType].filter((x) => x !== '').join(' · ')}</div></dd></div>
        ${camera !== '' ? html`<div><dt>${t.viewer.camera}</dt><dd>${camera}</dd></div>` : nothing}
        ${e?.lensModel ? html`<div><dt>${t.viewer.lens}</dt><dd>${e.lensModel}</dd></div>` : nothing}
        ${exposure !== '' ? html`<div><dt>${t.viewer.exposure}</dt><dd>${exposure}</dd></div>` : nothing}
        ${this.renderPlace(place)}
        ${hasPos ? html`<div><dt>${t.viewer.position}</dt><dd>${lat.toFixed(5)}, ${lon.toFixed(5)}
          <div><a href="/map?lat=${lat}&lon=${lon}&zoom=12">${t.map.showOnMap}</a> · <a href="https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=15/${lat}/${lon}" target="_blank" rel="noopener noreferrer">${t.viewer.openMap}</a></div></dd></div>` : nothing}
        ${this.renderPeople()}
        ${this.renderTags(a)}
        ${this.ocr !== '' ? html`<div><dt>${t.viewer.text}</dt><dd><pre>${this.ocr}</pre></dd></div>` : nothing}
        ${(e?.keywords?.length ?? 0) > 0 ? html`<div><dt>${t.viewer.keywords}</dt><dd><ul>${e!.keywords!.map((k) => html`<li class="chip">${k}</li>`)}</ul></dd></div>` : nothing}
        ${(this.albums?.length ?? 0) > 0 ? html`<div><dt>${t.viewer.albums}</dt><dd><ul>${this.albums!.map((al) => html`<li><a href="/albums/${al.id}">${al.albumName}</a></li>`)}</ul></dd></div>` : nothing}
      </dl>`
  }
}
customElements.define('hearth-info-panel', InfoPanel)
