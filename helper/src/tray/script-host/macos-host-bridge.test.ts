import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { newVmConfig } from '@openutm/shared';
import { trayMenu } from '../tray-menu';
import { HOSTILE_NAMES } from './testing/hostile-names';
import { encodeHostMessage, menuMessage } from './tray-protocol';
import { MACOS_TRAY_SCRIPT } from './macos-tray-host';

// AppKit cannot exist on Linux. This stand-in for JXA's `$` and `ObjC` answers any property
// or call with another stand-in and records the calls, so every line of the script's main()
// runs under V8: a typo, a wrong variable or a bad branch in the script fails here. It says
// nothing about whether AppKit accepts the calls; only a Mac can (see README.md).
interface Call {
  path: string;
  args: unknown[];
}
type Wrapped = { value?: unknown };

function fakeBridge() {
  const calls: Call[] = [];
  const touched = new Set<string>();
  let registered: { name: string; methods: Record<string, { types: unknown; implementation: (arg: unknown) => void }> } | null = null;
  const make = (path: string, value?: unknown): unknown =>
    new Proxy(function () {}, {
      get(_t, prop) {
        if (prop === 'value') return value;
        const next = `${path}.${String(prop)}`;
        touched.add(next);
        return make(next, value);
      },
      apply(_t, _this, args: unknown[]) {
        calls.push({ path, args });
        // The script decodes stdin data with initWithDataEncoding; hand back the chunk's text.
        if (path.endsWith('.initWithDataEncoding')) return make(path, (args[0] as { text: string }).text);
        return make(`${path}()`, value);
      },
    });
  const dollar = new Proxy(function () {}, {
    get: (_t, prop) => make(`$.${String(prop)}`),
    apply: (_t, _this, args: unknown[]) => make('$()', args[0]),
  });
  const ObjC = {
    import: (name: string) => calls.push({ path: 'ObjC.import', args: [name] }),
    registerSubclass: (def: typeof registered) => (registered = def),
    unwrap: (v: Wrapped) => v.value,
  };
  vm.runInNewContext(MACOS_TRAY_SCRIPT, { $: dollar, ObjC });
  const method = (name: string) => registered!.methods[name]!.implementation;
  const written = () => calls.filter((c) => c.path.endsWith('fileHandleWithStandardOutput.writeData')).map((c) => (c.args[0] as Wrapped).value);
  const stdinData = (text: string) => method('stdinRead:')({ userInfo: { objectForKey: () => ({ length: text.length, text }) } });
  return { calls, touched, registered: () => registered!, method, written, stdinData, wrap: (v: unknown) => make('$()', v) };
}

test('macOS host main(): sets up the status item, builds the menu from stdin, answers clicks, quits at end of stdin', () => {
  const b = fakeBridge();
  assert.deepEqual(b.calls[0], { path: 'ObjC.import', args: ['Cocoa'] });
  assert.ok(b.calls.some((c) => c.path === '$.NSApplication.sharedApplication.setActivationPolicy'));
  assert.ok(b.calls.some((c) => c.path === '$.NSStatusBar.systemStatusBar.statusItemWithLength'));
  assert.equal(b.registered().name, 'OpenUTMTrayTarget');
  // Arrays from the script's own realm compare by their JSON.
  for (const m of ['itemClicked:', 'stdinRead:']) assert.equal(JSON.stringify(b.registered().methods[m]!.types), '["void",["id"]]');
  const observe = b.calls.find((c) => c.path === '$.NSNotificationCenter.defaultCenter.addObserverSelectorNameObject')!;
  assert.equal(observe.args[1], 'stdinRead:');
  assert.ok(b.touched.has('$.NSFileHandle.fileHandleWithStandardInput.readInBackgroundAndNotify'));
  assert.ok(b.touched.has('$.NSApplication.sharedApplication.run'), 'the run loop starts last');

  const vms = HOSTILE_NAMES.map((name, i) => {
    const id = `vm${String(i).padStart(4, '0')}`;
    const config = newVmConfig({ name: 'placeholder', preset: 'linux-server' }, { id, now: new Date('2024-05-01T12:00:00Z') });
    return { config: { ...config, name }, status: { id, name, state: 'stopped' as const, since: '2024-05-01T12:00:00.000Z', pid: null, crash: null, lastShutdown: null } };
  });
  const menu = menuMessage(trayMenu({ vms, autostart: true, url: 'http://127.0.0.1:47320/' }), 'darwin');
  if (menu.type !== 'menu') throw new Error('not a menu');
  const stream = encodeHostMessage({ type: 'icons', active: 'QUJD', attention: 'REVG' }) + encodeHostMessage(menu);
  b.stdinData(stream.slice(0, 100));
  b.stdinData(stream.slice(100));

  const titles = b.calls.filter((c) => c.path === '$.NSMenuItem.alloc.initWithTitleActionKeyEquivalent');
  const items = menu.items.flatMap((i) => (i.kind === 'item' ? [i] : []));
  assert.deepEqual(titles.map((c) => (c.args[0] as Wrapped).value), items.map((i) => i.label), 'every label reaches AppKit exactly');
  assert.ok(titles.every((c) => c.args[1] === 'itemClicked:'));
  const represented = b.calls.filter((c) => c.path.endsWith('.setRepresentedObject')).map((c) => (c.args[0] as Wrapped).value);
  assert.deepEqual(represented, items.map((i) => i.id));
  assert.equal(b.calls.filter((c) => c.path.endsWith('.setState')).length, 1, 'only the toggle gets a state');
  assert.ok(b.calls.some((c) => c.path.endsWith('.button.setImage')), 'the icon is set once icons arrived');
  assert.deepEqual(b.written(), ['{"type":"ready"}\n']);

  b.method('itemClicked:')({ representedObject: b.wrap('autostart') });
  assert.equal(b.written().at(-1), '{"type":"click","id":"autostart"}\n');

  b.stdinData('');
  assert.ok(b.calls.some((c) => c.path === '$.NSStatusBar.systemStatusBar.removeStatusItem'));
  assert.ok(b.calls.some((c) => c.path === '$.NSApplication.sharedApplication.terminate'));
});
