/**
 * The file types Hearth accepts as originals, by extension, with their MIME type. The lists follow
 * Immich's (so `immich upload` crawls the same files) and `/api/server/media-types` serves them.
 */
export type AssetType = 'IMAGE' | 'VIDEO'

const image: Record<string, string> = {
  '.3fr': 'image/x-hasselblad-3fr', '.ari': 'image/x-arriflex-ari', '.arw': 'image/x-sony-arw', '.avif': 'image/avif',
  '.bmp': 'image/bmp', '.cap': 'image/x-phaseone-cap', '.cin': 'image/x-phantom-cin', '.cr2': 'image/x-canon-cr2',
  '.cr3': 'image/x-canon-cr3', '.crw': 'image/x-canon-crw', '.dcr': 'image/x-kodak-dcr', '.dng': 'image/x-adobe-dng',
  '.erf': 'image/x-epson-erf', '.fff': 'image/x-hasselblad-fff', '.gif': 'image/gif', '.heic': 'image/heic',
  '.heif': 'image/heif', '.hif': 'image/hif', '.iiq': 'image/x-phaseone-iiq', '.insp': 'image/jpeg', '.jp2': 'image/jp2',
  '.jpe': 'image/jpeg', '.jpeg': 'image/jpeg', '.jpg': 'image/jpeg', '.jxl': 'image/jxl', '.k25': 'image/x-kodak-k25',
  '.kdc': 'image/x-kodak-kdc', '.mrw': 'image/x-minolta-mrw', '.nef': 'image/x-nikon-nef', '.nrw': 'image/x-nikon-nrw',
  '.orf': 'image/x-olympus-orf', '.ori': 'image/x-olympus-ori', '.pef': 'image/x-pentax-pef', '.png': 'image/png',
  '.psd': 'image/vnd.adobe.photoshop', '.raf': 'image/x-fuji-raf', '.raw': 'image/x-panasonic-raw', '.rw2': 'image/x-panasonic-rw2',
  '.rwl': 'image/x-leica-rwl', '.sr2': 'image/x-sony-sr2', '.srf': 'image/x-sony-srf', '.srw': 'image/x-samsung-srw',
  '.svg': 'image/svg+xml', '.tif': 'image/tiff', '.tiff': 'image/tiff', '.webp': 'image/webp', '.x3f': 'image/x-sigma-x3f',
}

const video: Record<string, string> = {
  '.3gp': 'video/3gpp', '.3gpp': 'video/3gpp', '.avi': 'video/x-msvideo', '.flv': 'video/x-flv', '.insv': 'video/mp4',
  '.m2t': 'video/mp2t', '.m2ts': 'video/mp2t', '.m4v': 'video/x-m4v', '.mkv': 'video/x-matroska', '.mov': 'video/quicktime',
  '.mp4': 'video/mp4', '.mpe': 'video/mpeg', '.mpeg': 'video/mpeg', '.mpg': 'video/mpeg', '.mts': 'video/mp2t',
  '.vob': 'video/mpeg', '.webm': 'video/webm', '.wmv': 'video/x-ms-wmv',
}

export const sidecarExtensions = ['.xmp']

/** Cameras' RAW files (their embedded preview is shown; stacked under a JPEG of the same name). */
export const rawMimeTypes = /^image\/(x-(adobe-dng|canon-cr2|canon-cr3|canon-crw|nikon-nef|nikon-nrw|sony-arw|sony-sr2|sony-srf|fuji-raf|panasonic-rw2|panasonic-raw|olympus-orf|olympus-ori|pentax-pef|samsung-srw|leica-rwl|kodak-dcr|kodak-k25|kodak-kdc|minolta-mrw|sigma-x3f|hasselblad-3fr|hasselblad-fff|phaseone-iiq|phaseone-cap|epson-erf|arriflex-ari)|dng)$/

export function mediaTypeOf (fileName: string): { type: AssetType, mime: string } | undefined {
  const dot = fileName.lastIndexOf('.')
  if (dot < 0) return undefined
  const ext = fileName.slice(dot).toLowerCase()
  if (ext in image) return { type: 'IMAGE', mime: image[ext] }
  if (ext in video) return { type: 'VIDEO', mime: video[ext] }
  return undefined
}

export const supportedMediaTypes = () => ({
  image: Object.keys(image),
  video: Object.keys(video),
  sidecar: sidecarExtensions,
})
