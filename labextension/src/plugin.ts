/**
 * The application plugin of trame-jupyter (`"extension": "lib/plugin.js"`): it has what a MIME
 * renderer has not, the application, and offers it to the renderers through `host.ts`.
 *
 * - The command `trame-jupyter:open-in-tab` (arguments: a view's MIME data) shows the same live view
 *   in a main-area tab. The renderers' "JupyterLab tab" action runs it only where the shell has
 *   main-area tabs (JupyterLab's `ILabShell`); Notebook 7's notebook page has a single-document main
 *   area, so there it is not offered (the browser-tab link remains).
 * - "Re-run" on a view that is not live any more runs the notebook cell holding it (`INotebookTracker`,
 *   in JupyterLab and in Notebook 7 alike).
 * - A notebook whose kernel connection stays silent gets one fresh connection (`kernelWatchdog.ts`: a
 *   race of Jupyter's gateway path that would leave Run All hanging).
 */
import { ILabShell, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISessionContextDialogs } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { launchIcon } from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { ITrameBundle, parseBundle } from './bundle';
import type { IRelayKernel } from './commRelay';
import { setHost } from './host';
import { watchKernelConnection } from './kernelWatchdog';
import { TrameView } from './view';

/** Command ids. */
export namespace CommandIDs {
  export const openInTab = 'trame-jupyter:open-in-tab';
}

/** The main-area widget id of a bundle's tab: one tab per server and layout. */
function tabId(bundle: ITrameBundle): string {
  return `trame-jupyter-tab-${bundle.server_id}-${encodeURIComponent(bundle.ui).replace(/%/g, '_')}`;
}

/** The notebook holding `node`, and the index of the code cell whose output holds it (-1: none). */
function locate(tracker: INotebookTracker | null, node: HTMLElement): { panel: NotebookPanel; index: number } | null {
  let found: { panel: NotebookPanel; index: number } | null = null;
  tracker?.forEach(panel => {
    if (found || !panel.node.contains(node)) {
      return;
    }
    const index = panel.content.widgets.findIndex(cell => cell.model.type === 'code' && cell.node.contains(node));
    found = { panel, index };
  });
  return found;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'trame-jupyter:plugin',
  description: 'Opens trame-jupyter app views in JupyterLab tabs, and re-runs the cell of a stopped view.',
  autoStart: true,
  optional: [ILabShell, INotebookTracker, ISessionContextDialogs],
  activate: (
    app: JupyterFrontEnd,
    labShell: ILabShell | null,
    tracker: INotebookTracker | null,
    sessionDialogs: ISessionContextDialogs | null
  ) => {
    tracker?.widgetAdded.connect((_, panel) => {
      const stop = watchKernelConnection(panel.sessionContext);
      panel.disposed.connect(stop);
    });

    const tabs = new Map<string, TrameView>();
    // The command's arguments are JSON: a tab opened from the palette uses the sanitizer a renderer
    // handed over last (without one, a tab shows no snapshot).
    let lastSanitizer: IRenderMime.ISanitizer | null = null;

    const openTab = (bundle: ITrameBundle, sanitizer: IRenderMime.ISanitizer | null) => {
      const id = tabId(bundle);
      let view = tabs.get(id);
      if (!view || view.isDisposed) {
        view = new TrameView({ fill: true, tabAction: false, sanitizer });
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
    };

    app.commands.addCommand(CommandIDs.openInTab, {
      label: args => `Open ${typeof args.name === 'string' ? args.name : 'trame app'} in a Tab`,
      caption: 'Show a trame-jupyter app view in a JupyterLab tab',
      icon: launchIcon,
      execute: args => {
        const parsed = parseBundle(args);
        if (!parsed.ok) {
          throw new Error(`trame-jupyter: cannot open a tab: ${parsed.errors.join('; ')}`);
        }
        openTab(parsed.bundle, lastSanitizer);
      }
    });

    setHost({
      openInTab: labShell
        ? (bundle, sanitizer) => {
            lastSanitizer = sanitizer ?? lastSanitizer;
            if (sanitizer) {
              openTab(bundle, sanitizer);
            } else {
              void app.commands.execute(CommandIDs.openInTab, bundle as unknown as ReadonlyPartialJSONObject);
            }
          }
        : null,
      canRerun: node => (locate(tracker, node)?.index ?? -1) >= 0,
      rerun: async (node, options) => {
        const found = locate(tracker, node);
        if (!found || found.index < 0) {
          return false;
        }
        const { panel, index } = found;
        panel.content.activeCellIndex = options?.fromTop ? 0 : index;
        panel.content.deselectAll();
        if (options?.fromTop) {
          panel.content.extendContiguousSelectionTo(index); // the run stops at the first cell that fails
        }
        return NotebookActions.run(panel.content, panel.sessionContext, sessionDialogs ?? undefined);
      },
      notebookKernel: node => {
        const found = locate(tracker, node);
        return found ? (found.panel.sessionContext.session?.kernel?.id ?? null) : undefined;
      },
      kernelFor: (node, kernelId) => {
        const found = locate(tracker, node);
        if (found) {
          return found.panel.sessionContext.session?.kernel ?? null;
        }
        let kernel: IRelayKernel | null = null;
        tracker?.forEach(panel => {
          const candidate = panel.sessionContext.session?.kernel;
          if (!kernel && candidate && kernelId !== null && candidate.id === kernelId) {
            kernel = candidate;
          }
        });
        return kernel;
      }
    });
  }
};

export default plugin;
