// The macOS tray host: JavaScript for Automation (osascript -l JavaScript, in every macOS since
// 10.10) driving AppKit through its Objective-C bridge: an NSStatusItem with an NSMenu whose
// items call back into a class registered with ObjC.registerSubclass (target-action). No addon,
// nothing downloaded: the script travels as osascript's -e lines, the menu on stdin, clicks on
// stdout (tray-protocol.ts).
//
// The script is constant: no label or VM name is ever part of it. Why each piece:
// - stdin is read with NSFileHandle's readInBackgroundAndNotify: AppKit reads on its own thread
//   and posts the data to the main run loop, where all menu work must happen.
// - The protocol lines are pure ASCII, so a read that ends mid-line is simply kept until the
//   rest arrives; no UTF-8 sequence can be cut.
// - Empty data means end of stdin: the helper is gone, so the item is removed and the host exits.
// - The accessory activation policy keeps osascript out of the Dock.
// - trayLogic is plain JavaScript with no AppKit in it, so the same text is exercised by the
//   helper's tests under Node; main() runs only where the ObjC bridge exists.
export const MACOS_TRAY_SCRIPT = `// OpenUTM tray host (macOS). Reads menu messages (JSON lines) on stdin, writes clicks to stdout.
function trayLogic(ui, send) {
  var buffer = '';
  var ready = false;
  function handle(message) {
    if (message.type === 'icons') ui.setIcons(message.active, message.attention);
    else if (message.type === 'menu') {
      ui.setMenu(message);
      if (!ready) { ready = true; send({ type: 'ready' }); }
    } else if (message.type === 'exit') ui.quit();
  }
  return {
    push: function (chunk) {
      var parts = (buffer + chunk).split('\\n');
      buffer = parts.pop();
      for (var i = 0; i < parts.length; i++) {
        if (parts[i] === '') continue;
        try { handle(JSON.parse(parts[i])); } catch (e) { send({ type: 'error', message: String(e && e.message ? e.message : e) }); }
      }
    },
    clicked: function (id) { send({ type: 'click', id: String(id) }); },
    eof: function () { ui.quit(); }
  };
}

function main() {
  ObjC.import('Cocoa');
  var app = $.NSApplication.sharedApplication;
  app.setActivationPolicy($.NSApplicationActivationPolicyAccessory);
  var bar = $.NSStatusBar.systemStatusBar;
  var status = bar.statusItemWithLength($.NSVariableStatusItemLength);
  var stdin = $.NSFileHandle.fileHandleWithStandardInput;
  var stdout = $.NSFileHandle.fileHandleWithStandardOutput;
  var icons = {};
  var logic = null;
  var target = null;
  function send(message) {
    stdout.writeData($(JSON.stringify(message) + '\\n').dataUsingEncoding($.NSUTF8StringEncoding));
  }
  function image(base64) {
    var img = $.NSImage.alloc.initWithData($.NSData.alloc.initWithBase64EncodedStringOptions($(base64), 0));
    img.setSize($.NSMakeSize(18, 18));
    return img;
  }
  var ui = {
    setIcons: function (active, attention) { icons.active = image(active); icons.attention = image(attention); },
    setMenu: function (message) {
      var menu = $.NSMenu.alloc.initWithTitle($('OpenUTM'));
      menu.setAutoenablesItems(false);
      message.items.forEach(function (entry) {
        if (entry.kind === 'separator') { menu.addItem($.NSMenuItem.separatorItem); return; }
        var item = $.NSMenuItem.alloc.initWithTitleActionKeyEquivalent($(entry.label), 'itemClicked:', $(''));
        item.setTarget(target);
        item.setRepresentedObject($(entry.id));
        item.setEnabled(entry.enabled);
        if (entry.checked !== null) item.setState(entry.checked ? 1 : 0);
        menu.addItem(item);
      });
      status.setMenu(menu);
      status.button.setToolTip($(message.tooltip));
      var icon = icons[message.status] || icons.active;
      if (icon) status.button.setImage(icon); else status.button.setTitle($('OpenUTM'));
    },
    quit: function () {
      bar.removeStatusItem(status);
      app.terminate(null);
    }
  };
  logic = trayLogic(ui, send);
  ObjC.registerSubclass({
    name: 'OpenUTMTrayTarget',
    methods: {
      'itemClicked:': {
        types: ['void', ['id']],
        implementation: function (sender) { logic.clicked(ObjC.unwrap(sender.representedObject)); }
      },
      'stdinRead:': {
        types: ['void', ['id']],
        implementation: function (note) {
          var data = note.userInfo.objectForKey($.NSFileHandleNotificationDataItem);
          if (!data || data.length === 0) { logic.eof(); return; }
          logic.push(ObjC.unwrap($.NSString.alloc.initWithDataEncoding(data, $.NSUTF8StringEncoding)));
          stdin.readInBackgroundAndNotify;
        }
      }
    }
  });
  target = $.OpenUTMTrayTarget.alloc.init;
  $.NSNotificationCenter.defaultCenter.addObserverSelectorNameObject(target, 'stdinRead:', $.NSFileHandleReadCompletionNotification, stdin);
  stdin.readInBackgroundAndNotify;
  app.run;
}

if (typeof ObjC !== 'undefined') main();
`;

// osascript by full path; the script as one -e per line, osascript's documented way to pass a
// multi-line script (a -e argument is one line of the script).
export function macosTrayArgv(): string[] {
  return ['/usr/bin/osascript', '-l', 'JavaScript', ...MACOS_TRAY_SCRIPT.split('\n').flatMap((line) => ['-e', line])];
}
