// What went wrong while loading the page's extras (a widget package's script, a Vue plugin): one line
// each, shown above the app, which still runs. The details go to the console (and so to the kernel log).

export class ProblemsView {
  /** @param {HTMLElement|null} element where to list the problems (#trame-jupyter-problems) */
  constructor(element) {
    this.element = element;
    this.messages = [];
  }

  add(message) {
    if (this.messages.includes(message)) return;
    this.messages.push(message);
    if (!this.element) return;
    const line = this.element.ownerDocument.createElement('div');
    line.textContent = message; // text, never HTML: a URL or a name may hold anything
    this.element.appendChild(line);
    this.element.hidden = false;
  }
}
