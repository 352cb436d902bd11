// Binary values from Python (bytes → Uint8Array; numpy arrays → {bytes, dtype, shape}) made usable
// in templates: object URLs for <img>/<video>, typed arrays for numeric data.

const TYPED = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
  bool: Uint8Array,
};

function asBytes(value) {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value && typeof value === 'object' && value.bytes) return asBytes(value.bytes);
  return null;
}

/** `{bytes, dtype, shape}` (a numpy array from Python) → a typed array of that dtype. */
export function typedArray(value) {
  if (!value || typeof value !== 'object') return null;
  const bytes = asBytes(value.bytes ?? value);
  if (!bytes) return null;
  const dtype = String(value.dtype || 'uint8').replace(/^[<>=|]/, '');
  const Type = TYPED[dtype] || Uint8Array;
  const size = Type.BYTES_PER_ELEMENT;
  // A view must start on a multiple of its element size; msgpack hands out views at any offset.
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return new Type(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / size));
}

/**
 * Object URLs for binary values, one per value; URLs of values no longer in the state are revoked.
 * @param {Function} reachable `() => Iterable` of the values currently held (to find replaced ones)
 */
export class ObjectUrls {
  constructor(reachable) {
    this._reachable = reachable;
    this._urls = new Map(); // bytes → Map(mime → url)
    this._sweepQueued = false;
  }

  url(value, mime = 'application/octet-stream') {
    const bytes = asBytes(value);
    if (!bytes) return typeof value === 'string' ? value : undefined;
    let byMime = this._urls.get(bytes);
    if (!byMime) {
      byMime = new Map();
      this._urls.set(bytes, byMime);
    }
    let url = byMime.get(mime);
    if (!url) {
      url = URL.createObjectURL(new Blob([bytes], { type: mime }));
      byMime.set(mime, url);
    }
    return url;
  }

  /** Call after state changes: revokes, a little later, the URLs of values that left the state. */
  changed() {
    if (this._sweepQueued || this._urls.size === 0) return;
    this._sweepQueued = true;
    setTimeout(() => this._sweep(), 0);
  }

  _sweep() {
    this._sweepQueued = false;
    const alive = new Set();
    const visit = (value, depth) => {
      if (!value || typeof value !== 'object' || depth > 4) return;
      if (ArrayBuffer.isView(value)) {
        alive.add(value);
        return;
      }
      if (Array.isArray(value)) value.forEach((item) => visit(item, depth + 1));
      else if (Object.getPrototypeOf(value) === Object.prototype) {
        for (const key in value) visit(value[key], depth + 1);
      }
    };
    for (const value of this._reachable()) visit(value, 0);
    for (const [bytes, byMime] of this._urls) {
      if (alive.has(bytes)) continue;
      for (const url of byMime.values()) URL.revokeObjectURL(url);
      this._urls.delete(bytes);
    }
  }
}

/**
 * Save binary or text content as a file download. `content` may be a promise of it: widget packages
 * pass a trigger's answer straight in (`utils.download('shot.png', trigger('screenshot'), 'image/png')`).
 */
export async function download(filename, awaitedContent, mime = 'application/octet-stream') {
  const content = await awaitedContent;
  const bytes = asBytes(content);
  const blob = new Blob([bytes ?? String(content)], { type: mime });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
