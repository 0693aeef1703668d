// Puts the separately built parts of the SPA (frontend/bundles.json; one
// build each, by scripts/build.sh's build_wasm_app, into
// frontend/parts/<part>-<lang>) together into frontend/dist: every part's
// content-hashed files, the style sheet (minified, named after its
// content), and one index.html whose inline loader starts the part the
// address belongs to, with its wasm and the first data requests preloaded
// while the page is still being parsed.
// The table of which address belongs to which part is bundles.json, the
// same as `Bundle::BY_FIRST_SEGMENT` in frontend/src/routes.rs (a unit test
// keeps the two equal).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [partsDir = 'frontend/parts', dist = 'frontend/dist'] = process.argv.slice(2);
const table = JSON.parse(readFileSync('frontend/bundles.json', 'utf8'));

function fail(message) {
  console.error(`assemble-spa: ${message}`);
  process.exit(1);
}

const esbuild = (args, input) =>
  execFileSync('node_modules/.bin/esbuild', ['--minify', '--log-level=warning', ...args],
    input === undefined ? { stdio: ['ignore', 'pipe', 'inherit'] } : { input });

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const parts = {};
for (const build of table.parts.flatMap((part) => table.languages.map((lang) => `${part}-${lang}`))) {
  const dir = path.join(partsDir, build);
  const names = readdirSync(dir);
  // build_wasm_app names both files after one hash; the loader keeps it.
  const hash = names.map((n) => n.match(/^lockbox-frontend-([0-9a-f]{16})\.js$/)?.[1]).find(Boolean);
  if (!hash || !names.includes(`lockbox-frontend-${hash}_bg.wasm`)) {
    fail(`${dir} does not hold a built part (lockbox-frontend-<hash>.js and _bg.wasm): run scripts/build.sh`);
  }
  parts[build] = hash;
  // wasm-bindgen's glue as written is twice the size it needs to be.
  // Minified (esbuild, which the Worker's build installs too) it keeps its
  // name: the name's hash stands for the unminified file, which
  // determines this one.
  esbuild([path.join(dir, `lockbox-frontend-${hash}.js`), '--format=esm',
    `--outfile=${path.join(dist, `lockbox-frontend-${hash}.js`)}`]);
  copyFileSync(path.join(dir, `lockbox-frontend-${hash}_bg.wasm`), path.join(dist, `lockbox-frontend-${hash}_bg.wasm`));
}

// The style sheet, minified and named after its content, with its
// integrity in the page.
const css = esbuild(['--loader=css'], readFileSync('frontend/style.css'));
const cssName = `style-${createHash('sha256').update(css).digest('hex').slice(0, 16)}.css`;
writeFileSync(path.join(dist, cssName), css);
const integrity = `sha384-${createHash('sha384').update(css).digest('base64')}`;
const page = readFileSync('frontend/index.html', 'utf8');
const styleLink = '<link rel="stylesheet" href="style.css">';
if (!page.includes(styleLink)) fail(`frontend/index.html has lost its ${styleLink}`);
const base = page.replace(styleLink, `<link rel="stylesheet" href="/${cssName}" integrity="${integrity}">`);

// What makes the app installable and its second visit instant: the web
// manifest, its icons and the service worker (minified, as the glue).
for (const name of readdirSync('frontend/app')) {
  if (name.endsWith('.js')) {
    esbuild([path.join('frontend/app', name), `--outfile=${path.join(dist, name)}`]);
  } else {
    copyFileSync(path.join('frontend/app', name), path.join(dist, name));
  }
}

// The API's description: served by the Worker from here (/api/v1/openapi.json).
copyFileSync('backend/openapi.json', path.join(dist, 'openapi.json'));

const source = `(function () {
  var parts = ${JSON.stringify(parts)};
  var bySegment = ${JSON.stringify(table.by_first_segment)};
  var preloads = ${JSON.stringify(table.preload)};
  var name = bySegment[location.pathname.split('/')[1]] || ${JSON.stringify(table.default)};
  // The reader's language, chosen as frontend/src/i18n.rs chooses it: their
  // own choice kept in this browser, else the browser's languages, else
  // their organisation's default kept from their last session, else the
  // first. The app checks it against the session and reloads if it changed.
  var languages = ${JSON.stringify(table.languages)};
  function spoken(tag) {
    var primary = String(tag || '').split(/[-_]/)[0].toLowerCase();
    return languages.indexOf(primary) >= 0 ? primary : null;
  }
  function kept(key) {
    try { var v = localStorage.getItem(key); return languages.indexOf(v) >= 0 ? v : null; } catch (e) { return null; }
  }
  var browser = (navigator.languages || [navigator.language]).map(spoken).filter(Boolean)[0];
  var lang = kept('lockbox-lang') || browser || kept('lockbox-tenant-lang') || languages[0];
  document.documentElement.lang = lang;
  var file = '/lockbox-frontend-' + parts[name + '-' + lang];
  var part = { js: file + '.js', wasm: file + '_bg.wasm' };
  function link(rel, href, as, type) {
    var l = document.createElement('link');
    l.rel = rel;
    l.href = href;
    if (as) l.as = as;
    if (type) l.type = type;
    l.crossOrigin = 'anonymous';
    document.head.appendChild(l);
  }
  // The page's formatter of times, for the app (frontend/src/components/
  // time.rs) and for the first screen the Worker writes into the page
  // (lockbox_shared::screen), whose times it rewrites as they arrive
  // (below): both read a time alike. The locale is the browser's own
  // for the language shown (it-CH for a Swiss reader of Italian).
  var format;
  function formatter() {
    if (!format) {
      var tags = navigator.languages || [navigator.language];
      var locale = tags.filter(function (tag) { return spoken(tag) === lang; })[0] || lang;
      format = new Intl.DateTimeFormat([locale], {
        year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short'
      });
    }
    return format;
  }
  window.lockboxTime = {
    format: function (ms) { return formatter().format(ms); },
    zone: function () { return formatter().resolvedOptions().timeZone; }
  };
  // Building the first formatter loads the locale's patterns, tens of
  // milliseconds on a phone: done while the wasm downloads.
  setTimeout(formatter, 0);
  // Where the Worker writes the first screen into the page, the answers it
  // was written from come with it: no data to preload; its times are
  // rewritten as the parser adds them, before any frame shows them.
  if (!document.querySelector('meta[name="lockbox-first"]')) {
    (preloads[name] || []).forEach(function (url) { link('preload', url, 'fetch'); });
  } else {
    var watch = new MutationObserver(function () {
      var times = document.querySelectorAll('#lockbox-first time[datetime]');
      for (var i = 0; i < times.length; i++) {
        var text = formatter().format(Date.parse(times[i].dateTime));
        if (times[i].textContent !== text) times[i].textContent = text;
      }
      if (document.getElementById('lockbox-answers') || document.readyState !== 'loading') watch.disconnect();
    });
    watch.observe(document.documentElement, { childList: true, subtree: true });
  }
  link('modulepreload', part.js);
  link('preload', part.wasm, 'fetch', 'application/wasm');
  import(part.js).then(function (app) {
    performance.mark('lockbox: module loaded');
    return app.default({ module_or_path: part.wasm });
  }).then(function () {
    performance.mark('lockbox: app started');
    // Keeps the app's files and the last list for the next visit
    // (frontend/app/sw.js); registered once the app runs, so that a first
    // visit's downloads have the connection to themselves.
    if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(function () {});
  });
})();
`;
// Minified (esbuild, as the glue above): every page's first download.
const loader = `<script>${esbuild([], source).toString().trim()}</script>`;
if (!base.includes('<!-- lockbox-loader -->')) fail('frontend/index.html has lost its <!-- lockbox-loader --> marker');
writeFileSync(path.join(dist, 'index.html'), base.replace('<!-- lockbox-loader -->', loader));
console.log(`assemble-spa: ${Object.keys(parts).join(', ')} → ${dist}`);
