/**
 * The application plugin of trame-jupyter (`"extension": "lib/plugin.js"`): it has what a MIME
 * renderer has not, the application, and offers it to the renderers through `host.ts`.
 *
 * It registers the command `trame-jupyter:open-in-tab` (arguments: a view's MIME data), which shows
 * the same live view in a main-area tab, and, when the shell has main-area tabs (JupyterLab's
 * `ILabShell`), makes the renderers' "JupyterLab tab" action run it. Notebook 7's notebook page has a
 * single-document main area, so there the action is not offered (the browser-tab link remains).
 */
import { ILabShell, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { launchIcon } from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { ITrameBundle, parseBundle } from './bundle';
import { setHost } from './host';
import { TrameView } from './view';

/** Command ids. */
export namespace CommandIDs {
  export const openInTab = 'trame-jupyter:open-in-tab';
}

/** The main-area widget id of a bundle's tab: one tab per server and layout. */
function tabId(bundle: ITrameBundle): string {
  return `trame-jupyter-tab-${bundle.server_id}-${encodeURIComponent(bundle.ui).replace(/%/g, '_')}`;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'trame-jupyter:plugin',
  description: 'Opens trame-jupyter app views in JupyterLab tabs.',
  autoStart: true,
  optional: [ILabShell],
  activate: (app: JupyterFrontEnd, labShell: ILabShell | null) => {
    const tabs = new Map<string, TrameView>();

    app.commands.addCommand(CommandIDs.openInTab, {
      label: args => `Open ${typeof args.name === 'string' ? args.name : 'trame app'} in a Tab`,
      caption: 'Show a trame-jupyter app view in a JupyterLab tab',
      icon: launchIcon,
      execute: args => {
        const parsed = parseBundle(args);
        if (!parsed.ok) {
          throw new Error(`trame-jupyter: cannot open a tab: ${parsed.errors.join('; ')}`);
        }
        const bundle = parsed.bundle;
        const id = tabId(bundle);
        let view = tabs.get(id);
        if (!view || view.isDisposed) {
          view = new TrameView({ fill: true, tabAction: false });
          view.id = id;
          view.title.label = bundle.name;
          view.title.caption = `trame app ${bundle.name} (layout ${bundle.ui})`;
          view.title.icon = launchIcon;
          view.title.closable = true;
          view.addClass('trame-jupyter-tab');
          view.setBundle(bundle);
          tabs.set(id, view);
          const opened = view;
          view.disposed.connect(() => {
            if (tabs.get(id) === opened) {
              tabs.delete(id);
            }
          });
          app.shell.add(view, 'main', { mode: 'split-right' });
        }
        app.shell.activateById(id);
      }
    });

    if (labShell) {
      setHost({
        openInTab: bundle =>
          void app.commands.execute(CommandIDs.openInTab, bundle as unknown as ReadonlyPartialJSONObject)
      });
    }
  }
};

export default plugin;
