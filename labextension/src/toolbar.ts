/**
 * The toolbar and the notices of a view (`TrameView`, `view.ts`): the toolbar (the connection state,
 * the server's name, "browser tab" and "JupyterLab tab"), the notice of a version mismatch, the one
 * notice of a view that is not live with its one action (re-run the cell, reload the page), and the
 * error shown for invalid MIME data. Only the DOM: what to show is the view's to say (`viewState.ts`).
 *
 * The notice is a line above the content, never an overlay, so no frame height can clip it.
 */
import { LabIcon, launchIcon, refreshIcon, runIcon, tabIcon } from '@jupyterlab/ui-components';

import { MIME_TYPE } from './bundle';
import { element } from './dom';
import { EXTENSION_VERSION } from './version';
import { IStateInfo, ViewState } from './viewState';

function iconInto(node: HTMLElement, icon: LabIcon): void {
  icon.element({ container: node.appendChild(element('span', 'trame-jupyter-icon')), tag: 'span' });
}

function actionButton(className: string, icon: LabIcon, label: string, title: string): HTMLButtonElement {
  const button = element('button', `trame-jupyter-action ${className}`);
  button.type = 'button';
  button.title = title;
  iconInto(button, icon);
  button.appendChild(element('span', 'trame-jupyter-action-label', label));
  return button;
}

/** What the toolbar's and the notice's buttons do. */
export interface IToolbarActions {
  /** "JupyterLab tab": open the view in a main-area tab. */
  openTab(): void;
  /** "Re-run" / "Run to here": run the cell of this output again (with the cells above it). */
  rerun(): void;
  /** "Reload": load the view again. */
  reload(): void;
}

/** Which actions are offered now. */
export interface IShownActions {
  browserTab: boolean;
  jupyterTab: boolean;
  /** Re-run the cell alone, or the notebook from the top through it; null: not offered. */
  rerun: 'rerun' | 'run-to-here' | null;
  reload: boolean;
}

/** The toolbar, the notices and the error of one view; the view places them (`toolbar` first). */
export class ViewToolbar {
  constructor(actions: IToolbarActions) {
    const toolbar = element('div', 'trame-jupyter-toolbar');
    this._stateNode = element('span', 'trame-jupyter-state');
    this._stateNode.appendChild(element('span', 'trame-jupyter-dot'));
    this._stateLabel = this._stateNode.appendChild(element('span', 'trame-jupyter-state-label'));
    this._nameNode = element('span', 'trame-jupyter-name');
    this._browserLink = element('a', 'trame-jupyter-action trame-jupyter-open-browser');
    this._browserLink.target = '_blank';
    this._browserLink.rel = 'noopener';
    this._browserLink.title = 'Open this view in a new browser tab';
    iconInto(this._browserLink, launchIcon);
    this._browserLink.appendChild(element('span', 'trame-jupyter-action-label', 'browser tab'));
    this._tabButton = actionButton('trame-jupyter-open-tab', tabIcon, 'JupyterLab tab', 'Open this view in a JupyterLab tab');
    this._tabButton.addEventListener('click', () => actions.openTab());
    toolbar.append(this._stateNode, this._nameNode, element('span', 'trame-jupyter-spacer'));
    toolbar.append(this._browserLink, this._tabButton);
    this.toolbar = toolbar;

    this.versionNotice = element('div', 'trame-jupyter-notice trame-jupyter-version');
    this.versionNotice.hidden = true;

    // The one notice of a view that is not live, with its one action, on its own line.
    this.notice = element('div', 'trame-jupyter-state-notice');
    this.notice.setAttribute('role', 'status');
    this.notice.hidden = true;
    this._noticeText = this.notice.appendChild(element('span', 'trame-jupyter-state-notice-text'));
    this._rerunButton = actionButton('trame-jupyter-rerun', runIcon, 'Re-run', 'Run the cell of this output again');
    this._rerunButton.addEventListener('click', () => actions.rerun());
    this._reloadButton = actionButton('trame-jupyter-reload', refreshIcon, 'Reload', 'Load this view again');
    this._reloadButton.addEventListener('click', () => actions.reload());
    this.notice.append(this._rerunButton, this._reloadButton);

    this.errorNode = element('div', 'trame-jupyter-error');
    this.errorNode.hidden = true;
  }

  /** The toolbar: state, name, links. */
  readonly toolbar: HTMLDivElement;
  /** The notice shown when the kernel's trame-jupyter is another version than this extension. */
  readonly versionNotice: HTMLDivElement;
  /** The notice of a view that is not live, with its action. */
  readonly notice: HTMLDivElement;
  /** What is wrong with invalid MIME data (in place of the view). */
  readonly errorNode: HTMLDivElement;

  /** A bundle is shown: the toolbar names its server and links to its page (`pageHref`). */
  showBundle(name: string, serverId: string, ui: string, pageHref: string): void {
    this.errorNode.hidden = true;
    this.toolbar.hidden = false;
    this._nameNode.textContent = name;
    this._nameNode.title = `server ${serverId}, layout ${ui}`;
    this._browserLink.href = pageHref;
  }

  /** The state's mark on the toolbar. */
  markState(state: ViewState): void {
    this._stateNode.dataset.state = state;
  }

  /** The state: one message, the notice when it has one, else the toolbar's word for it. */
  showState(state: ViewState, info: IStateInfo): void {
    this._stateLabel.textContent = info.label;
    this._stateLabel.hidden = !!info.notice;
    this.notice.hidden = !info.notice;
    this.notice.dataset.state = state;
    this._noticeText.textContent = info.notice ?? '';
  }

  /** Show or hide each action. */
  showActions(shown: IShownActions): void {
    this._browserLink.hidden = !shown.browserTab;
    this._tabButton.hidden = !shown.jupyterTab;
    this._rerunButton.hidden = !shown.rerun;
    const fromTop = shown.rerun === 'run-to-here';
    this._rerunButton.title = fromTop
      ? "Run the notebook's cells from the first through this one (the kernel lost what they defined)"
      : 'Run the cell of this output again';
    this._rerunButton.querySelector('.trame-jupyter-action-label')!.textContent = fromTop ? 'Run to here' : 'Re-run';
    this._reloadButton.hidden = !shown.reload;
  }

  /** The version notice, when the kernel's version (null: not known) is not this extension's. */
  showVersion(kernelVersion: string | null): void {
    const differs = kernelVersion !== null && kernelVersion !== EXTENSION_VERSION;
    this.versionNotice.hidden = !differs;
    this.versionNotice.textContent = differs
      ? `trame-jupyter versions differ: the kernel has ${kernelVersion}, this JupyterLab extension is ` +
        `${EXTENSION_VERSION}. Install the same version in the kernel's and in Jupyter's environment, ` +
        'then reload this page.'
      : '';
  }

  /** Invalid MIME data: no toolbar, the reasons instead. */
  hideToolbar(): void {
    this.toolbar.hidden = true;
  }

  /** The reasons MIME data is invalid. */
  showError(errors: string[]): void {
    this.errorNode.replaceChildren(
      element('div', 'trame-jupyter-error-title', `trame-jupyter cannot show this output: its ${MIME_TYPE} data is invalid.`)
    );
    const list = this.errorNode.appendChild(element('ul', 'trame-jupyter-error-list'));
    for (const error of errors) {
      list.appendChild(element('li', '', error));
    }
    this.errorNode.hidden = false;
  }

  private readonly _stateNode: HTMLSpanElement;
  private readonly _stateLabel: HTMLSpanElement;
  private readonly _nameNode: HTMLSpanElement;
  private readonly _browserLink: HTMLAnchorElement;
  private readonly _tabButton: HTMLButtonElement;
  private readonly _noticeText: HTMLSpanElement;
  private readonly _rerunButton: HTMLButtonElement;
  private readonly _reloadButton: HTMLButtonElement;
}
