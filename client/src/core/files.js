// Browser File objects cannot travel as they are: they become the map trame's server expects,
// with the content as binary and `_filter` so the server never sends the content back.
import { FILTER_KEY } from './protocol.js';

const isFile = (value) => typeof File !== 'undefined' && value instanceof File;
const isFileList = (value) => typeof FileList !== 'undefined' && value instanceof FileList;

/** True if the value is (or directly holds) a File or FileList that must be read before sending. */
export function needsFileEncoding(value) {
  if (isFile(value) || isFileList(value)) return true;
  return Array.isArray(value) && value.some(isFile);
}

async function encodeFile(file) {
  const encoded = {
    name: file.name,
    size: file.size,
    type: file.type,
    lastModified: file.lastModified,
    content: null,
    [FILTER_KEY]: ['content'],
  };
  try {
    encoded.content = new Uint8Array(await file.arrayBuffer());
  } catch (error) {
    encoded.error = String(error?.message ?? error);
  }
  return encoded;
}

/** File → one map; FileList or array of files → a list of maps; anything else unchanged. */
export async function encodeFiles(value) {
  if (isFile(value)) return encodeFile(value);
  if (isFileList(value) || Array.isArray(value)) {
    return Promise.all(Array.from(value, (item) => (isFile(item) ? encodeFile(item) : item)));
  }
  return value;
}
