// Where a wasm file's bytes go, by area of the code: reads the function
// bodies and their names (the `name` section, which `wasm-opt -g` keeps)
// and sums each function's size under the module path it belongs to
// (`lockbox_backend::routes::provider`, `serde_json`, `core`, …); the data
// segments (strings, tables) are one area. Prints the areas by size.
// Usage: node scripts/wasm-areas.mjs FILE.wasm [TOP=30]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/wasm-areas.mjs FILE.wasm [TOP]');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const bytes = readFileSync(file);
let at = 8;

function leb() {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return result;
  }
}
function name() {
  const length = leb();
  const text = bytes.toString('utf8', at, at + length);
  at += length;
  return text;
}

let imported = 0;
const bodies = [];
const names = new Map();
let data = 0;
while (at < bytes.length) {
  const id = bytes[at++];
  const size = leb();
  const end = at + size;
  if (id === 2) {
    // Imports: only imported functions take function indices.
    for (let n = leb(); n > 0; n--) {
      name();
      name();
      const kind = bytes[at++];
      if (kind === 0) {
        leb();
        imported++;
      } else if (kind === 1) {
        at++;
        const flags = leb();
        leb();
        if (flags & 1) leb();
      } else if (kind === 2) {
        const flags = leb();
        leb();
        if (flags & 1) leb();
      } else if (kind === 3) {
        at += 2;
      } else {
        leb();
        leb();
      }
    }
  } else if (id === 10) {
    for (let n = leb(); n > 0; n--) {
      const length = leb();
      bodies.push(length);
      at += length;
    }
  } else if (id === 11) {
    data += size;
  } else if (id === 0 && name() === 'name') {
    while (at < end) {
      const sub = bytes[at++];
      const subSize = leb();
      const subEnd = at + subSize;
      if (sub === 1) {
        for (let n = leb(); n > 0; n--) {
          const index = leb();
          names.set(index, name());
        }
      }
      at = subEnd;
    }
  }
  at = end;
}
if (names.size === 0) {
  console.error(`${file} has no function names: build it with wasm-opt -g.`);
  process.exit(1);
}

// The area of a (demangled) function name: our crates by their first two
// module levels, anyone else's by crate.
function area(fn) {
  const plain = fn.replace(/\[[0-9a-f]+\]/g, '').replace(/::h[0-9a-f]{16}$/, '');
  const ours = plain.match(/(lockbox_[a-z_]+)((?:::[a-z_][a-z0-9_]*){0,2})/);
  if (ours && plain.indexOf(ours[1]) < 60) {
    const path = ours[2].split('::').filter((p) => p && p !== '{{closure}}');
    return [ours[1], ...path.slice(0, 2)].join('::');
  }
  const crate =
    plain.match(/^<?(?:impl )?(?:&mut |&|\*const |\*mut |dyn )?([a-z_][a-z0-9_]*)::/) ??
    // `<T as some_crate::Trait>::method`: the trait's crate.
    plain.match(/^<[A-Z][A-Za-z0-9_]* as ([a-z_][a-z0-9_]*)::/);
  return crate ? crate[1] : '(other)';
}

const sums = new Map([['(data: strings and tables)', data]]);
bodies.forEach((size, i) => {
  const key = area(names.get(imported + i) ?? '(unnamed)');
  sums.set(key, (sums.get(key) ?? 0) + size);
});
const total = [...sums.values()].reduce((a, b) => a + b, 0);

// The areas in a few groups, for a short answer.
const GROUPS = [
  ['Lockbox: the API routes', /^lockbox_backend::(routes|page)/],
  ['Lockbox: services (rules, notices, integration)', /^lockbox_backend::(service|cron|tend|delivery|demo)/],
  ['Lockbox: storage (D1, objects, SQL)', /^lockbox_backend::(store|object)/],
  ['Lockbox: sign-in and the rest of the Worker', /^lockbox_backend/],
  ['Lockbox: the pages', /^lockbox_frontend/],
  ['Lockbox: the domain (shared, provider)', /^lockbox_(shared|provider)/],
  ['strings and tables', /^\(data/],
  ['Rust standard library', /^(core|alloc|std|dlmalloc|hashbrown|__rustc)$/],
  ['JSON (serde, serde_json, serde_wasm_bindgen)', /^(serde|serde_core|serde_json|serde_wasm_bindgen)$/],
  ['JavaScript bindings (js_sys, wasm_bindgen, web_sys, worker)', /^(js_sys|wasm_bindgen|wasm_bindgen_futures|web_sys|worker|worker_sys|futures_util|futures_core|futures_channel)$/],
  ['Leptos (tachys, reactive_graph, leptos…)', /^(leptos|leptos_dom|leptos_macro|tachys|reactive_graph|any_spawner|or_poisoned|throw_error|send_wrapper|guardian|indexmap|slotmap|event_listener|async_lock|oco_ref)/],
];
const groups = new Map();
for (const [key, size] of sums) {
  const group = GROUPS.find(([, pattern]) => pattern.test(key))?.[0] ?? 'other crates and generic code';
  groups.set(group, (groups.get(group) ?? 0) + size);
}
console.log(`${file}: ${(total / 1024).toFixed(0)} KB of code and data, by group (before compression)`);
for (const [group, size] of [...groups.entries()].sort((a, b) => b[1] - a[1])) {
  console.log(`${(size / 1024).toFixed(1).padStart(8)} KB ${((100 * size) / total).toFixed(1).padStart(5)} %  ${group}`);
}
const rows = [...sums.entries()].sort((a, b) => b[1] - a[1]);
console.log(`\nThe ${top} largest areas:`);
for (const [key, size] of rows.slice(0, top)) {
  console.log(`${(size / 1024).toFixed(1).padStart(8)} KB ${((100 * size) / total).toFixed(1).padStart(5)} %  ${key}`);
}
const rest = rows.slice(top).reduce((a, [, size]) => a + size, 0);
if (rest > 0) console.log(`${(rest / 1024).toFixed(1).padStart(8)} KB ${((100 * rest) / total).toFixed(1).padStart(5)} %  ${rows.length - top} smaller areas`);
