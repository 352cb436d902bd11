/**
 * Validation of the MIME data a kernel emits for a view (the contract's `IBundle`, from
 * `@trame-jupyter/common`): a bundle that does not have the documented shape is rejected with messages a
 * user can read, never rendered as a blank or wrong frame.
 */
import { IBundle, MIME_TYPE, PROTOCOL_VERSION, ROUTE, SERVER_ID_PATTERN } from '@trame-jupyter/common';

export { MIME_TYPE, ROUTE };

/** One view of a kernel's server, as emitted by `trame_jupyter/jupyter/display.py`. */
export type ITrameBundle = IBundle;

/** The outcome of `parseBundle`: a bundle, or what is wrong with the data. */
export type ParseResult = { ok: true; bundle: ITrameBundle } | { ok: false; errors: string[] };

const SERVER_ID = new RegExp(`^${SERVER_ID_PATTERN}$`);
const KERNEL_ID = /^[0-9a-f-]{36}$/;
const MAX_TEXT = 2048;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) {
    return 'missing';
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A CSS length for `height`/`width`: a number means pixels. */
function cssSize(value: unknown, property: 'height' | 'width'): string | null | undefined {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) && value > 0 ? `${value}px` : undefined;
  }
  if (typeof value !== 'string' || !value.trim() || value.length > 100) {
    return undefined;
  }
  const supports = typeof CSS !== 'undefined' && typeof CSS.supports === 'function';
  return !supports || CSS.supports(property, value) ? value.trim() : undefined;
}

/**
 * Check MIME data against the v1 contract.
 *
 * Required: `server_id`, `path` (under `trame-jupyter/<server_id>/`, relative, without `..`), `ui`
 * and `version`. `name`, `height`, `width`, `kernel_id` and `kernel_pid` may be absent or null, but
 * must have the right type when given. `protocol` may be absent (outputs saved before it existed are
 * version 1); a newer protocol than this extension's is refused with a message saying so. `stopped`
 * (absent: false) and `snapshot` (absent: null; HTML the renderer sanitizes again before showing it)
 * came later in version 1.
 */
export function parseBundle(data: unknown): ParseResult {
  if (!isRecord(data)) {
    return { ok: false, errors: [`the data is ${describe(data)}, not an object`] };
  }
  const errors: string[] = [];
  const text = (key: string, required: boolean): string | null => {
    const value = data[key];
    if ((value === undefined || value === null) && !required) {
      return null;
    }
    if (typeof value !== 'string' || !value || value.length > MAX_TEXT) {
      errors.push(`"${key}" is ${describe(value)}; expected a non-empty string`);
      return null;
    }
    return value;
  };

  const serverId = text('server_id', true);
  if (serverId !== null && !SERVER_ID.test(serverId)) {
    errors.push(`"server_id" is ${describe(serverId)}; expected letters, digits, "-" and "_"`);
  }
  const path = text('path', true);
  if (path !== null && serverId !== null) {
    const [route] = path.split(/[?#]/, 1);
    const unsafe =
      !route.startsWith(`${ROUTE}/${serverId}/`) ||
      route.split('/').some(part => part === '..' || part === '.') ||
      route.includes('\\') ||
      route.includes('//');
    if (unsafe) {
      errors.push(`"path" is ${describe(path)}; expected a path under "${ROUTE}/${serverId}/"`);
    }
  }
  const ui = text('ui', true);
  const version = text('version', true);
  const name = text('name', false);
  const kernelId = text('kernel_id', false);
  if (kernelId !== null && !KERNEL_ID.test(kernelId)) {
    errors.push(`"kernel_id" is ${describe(kernelId)}; expected a kernel UUID or null`);
  }
  const pid = data['kernel_pid'];
  if (pid !== undefined && pid !== null && !(typeof pid === 'number' && Number.isInteger(pid) && pid > 0)) {
    errors.push(`"kernel_pid" is ${describe(pid)}; expected a process id or null`);
  }
  const protocol = data['protocol'];
  if (protocol !== undefined && protocol !== null) {
    if (typeof protocol !== 'number' || !Number.isInteger(protocol) || protocol < 1) {
      errors.push(`"protocol" is ${describe(protocol)}; expected a protocol version number`);
    } else if (protocol > PROTOCOL_VERSION) {
      errors.push(
        `this output was made by a newer trame-jupyter (protocol ${protocol}; this extension speaks ` +
          `${PROTOCOL_VERSION}): update the trame-jupyter package where Jupyter runs`
      );
    }
  }
  const stopped = data['stopped'];
  if (stopped !== undefined && stopped !== null && typeof stopped !== 'boolean') {
    errors.push(`"stopped" is ${describe(stopped)}; expected true or false`);
  }
  const snapshot = data['snapshot'];
  if (snapshot !== undefined && snapshot !== null && typeof snapshot !== 'string') {
    errors.push(`"snapshot" is ${describe(snapshot)}; expected HTML text or null`);
  }
  const height = cssSize(data['height'], 'height');
  if (height === undefined) {
    errors.push(`"height" is ${describe(data['height'])}; expected a CSS length (e.g. "400px") or null`);
  }
  const width = cssSize(data['width'], 'width');
  if (width === undefined) {
    errors.push(`"width" is ${describe(data['width'])}; expected a CSS length (e.g. "100%") or null`);
  }

  if (errors.length) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    bundle: {
      protocol: typeof protocol === 'number' ? protocol : PROTOCOL_VERSION,
      server_id: serverId!,
      name: name ?? serverId!,
      path: path!,
      ui: ui!,
      height: height ?? null,
      width: width ?? null,
      kernel_id: kernelId,
      kernel_pid: typeof pid === 'number' ? pid : null,
      version: version!,
      stopped: stopped === true,
      snapshot: typeof snapshot === 'string' && snapshot ? snapshot : null
    }
  };
}

/** Two bundles show the same page (a re-render of the same output needs no reload). */
export function samePage(a: ITrameBundle | null, b: ITrameBundle): boolean {
  return a !== null && a.path === b.path && a.server_id === b.server_id;
}
