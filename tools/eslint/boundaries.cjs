// Layering rule: apps compose, libs own, dependencies point inward (docs/architecture.md).
// - a lib never imports an app;
// - code reaches another lib only through its public entry `@bo/<lib>` (no deep or relative
//   paths into another lib);
// - a lib imports only libs of a strictly lower layer, so lib-level cycles cannot exist.
const path = require('node:path');

/** Layer of each lib. A lib may import libs of a lower layer only. */
const LAYERS = {
  core: 0,
  database: 1,
  // The queue lib writes jobs through the database's outbox.
  queue: 2,
  storage: 1,
  access: 2,
  documents: 2,
  signing: 1,
  audit: 3,
  reference: 3,
  identity: 4,
  registry: 4,
  controls: 5,
  sharing: 6,
  reports: 7,
  pricing: 7,
  notifications: 8,
  testing: 9,
};

const ROOT = path.resolve(__dirname, '..', '..');

/** Plain TypeScript modules without imports that the web UI shares with the API, by relative path. */
const WEB_SHARED_MODULES = ['libs/documents/src/labels.fr'];

function locate(file) {
  const rel = path.relative(ROOT, file).split(path.sep);
  if ((rel[0] === 'libs' || rel[0] === 'apps') && rel.length > 1) return { kind: rel[0], name: rel[1] };
  return { kind: 'other', name: rel[0] };
}

module.exports = {
  rules: {
    layers: {
      meta: { type: 'problem', schema: [], messages: { bad: '{{why}}' } },
      create(context) {
        const file = context.filename;
        const here = locate(file);
        function check(node, source) {
          if (typeof source !== 'string') return;
          const report = (why) => context.report({ node, messageId: 'bad', data: { why } });
          let target;
          if (source.startsWith('.')) {
            const resolved = path.resolve(path.dirname(file), source);
            target = locate(resolved);
            // The web UI (a browser bundle) cannot load a lib's entry (Node modules behind it): it
            // imports the few plain-data modules shared with the API by path, and only those.
            if (here.kind === 'apps' && here.name === 'web' && WEB_SHARED_MODULES.includes(path.relative(ROOT, resolved))) return;
            if (target.kind === 'libs' && !(here.kind === 'libs' && here.name === target.name)) {
              return report(`Import the lib "${target.name}" through "@bo/${target.name}", not by a relative path.`);
            }
          } else if (source.startsWith('@bo/')) {
            const [, name, ...rest] = source.split('/');
            if (rest.length) return report(`"${source}" reaches inside a lib: import "@bo/${name}" only.`);
            target = { kind: 'libs', name };
            if (here.kind === 'libs' && here.name === name) return report(`A lib imports its own files by relative path, not "@bo/${name}".`);
          } else {
            return;
          }
          if (target.kind === 'apps' && here.kind === 'libs') return report('A lib never imports an app.');
          if (here.kind === 'libs' && target.kind === 'libs' && here.name !== target.name) {
            const from = LAYERS[here.name];
            const to = LAYERS[target.name];
            if (from === undefined) return report(`The lib "${here.name}" has no layer in tools/eslint/boundaries.cjs.`);
            if (to === undefined) return report(`The lib "${target.name}" has no layer in tools/eslint/boundaries.cjs.`);
            if (to >= from) return report(`"${here.name}" (layer ${from}) may not import "${target.name}" (layer ${to}): dependencies point inward.`);
          }
        }
        return {
          ImportDeclaration: (node) => check(node, node.source.value),
          ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
          ExportAllDeclaration: (node) => check(node, node.source.value),
          ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
        };
      },
    },
  },
};
