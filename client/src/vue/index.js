export { TramePlugin, TRAME_KEY, createTrame } from './plugin.js';
export { TemplateRegistry, ERROR_CLASS } from './templates.js';
export { createScope } from './scope.js';
export { createRoot, useGlobalPlugins, MISSING_CLASS } from './app.js';
