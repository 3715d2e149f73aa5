import { z } from 'zod';
import { OpenUtmError } from '@openutm/shared';
import type { TrayItem, TrayMenu } from '../tray-menu';

// The line protocol between the helper and a script tray host (PowerShell on Windows, JXA on
// macOS): one JSON object per line, helper → host on the host's stdin, host → helper on its
// stdout. The host scripts are constant text; everything that varies (labels, VM names) travels
// here as JSON data, so no name is ever pasted into code. Lines are pure ASCII (see
// encodeHostMessage), so neither host has to agree with us on a code page or on where a read
// may split a UTF-8 sequence.

// Which script host renders the menu; the label rules differ a little.
export type ScriptPlatform = 'win32' | 'darwin';

export type WireItem =
  | { kind: 'separator' }
  | { kind: 'item'; id: string; label: string; enabled: boolean; checked: boolean | null };

export type HelperMessage =
  | { type: 'icons'; active: string; attention: string }
  | { type: 'menu'; tooltip: string; status: TrayMenu['status']; items: WireItem[] }
  | { type: 'exit' };

// A host line longer than this is not one of ours: it is dropped with an error.
export const MAX_HOST_LINE = 4096;
// Windows Forms refuses a NotifyIcon tooltip of 64 characters or more (.NET Framework).
export const WINDOWS_TOOLTIP_MAX = 63;
// Ids are ASCII by construction (actions, "vm:" + a VM id); the hosts echo them back verbatim.
const ID_PATTERN = /^[A-Za-z0-9:._-]{1,64}$/;

const HostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  z.object({ type: z.literal('activate') }).strict(),
  z.object({ type: z.literal('click'), id: z.string().regex(ID_PATTERN) }).strict(),
  z.object({ type: z.literal('error'), message: z.string().max(1000) }).strict(),
]);
export type HostMessage = z.infer<typeof HostMessage>;
// The message types each side sends; the host scripts' tests check they handle exactly these.
export const HOST_MESSAGE_TYPES: readonly HostMessage['type'][] = HostMessage.options.map((o) => o.shape.type.value);
export const HELPER_MESSAGE_TYPES: readonly HelperMessage['type'][] = ['icons', 'menu', 'exit'];

// One line of text as a menu label: control characters and line breaks would break a menu row
// (and on Windows a tooltip), so they become spaces. Windows Forms reads & as a mnemonic
// marker ("R&D" would show "RD"), so it is doubled there; macOS titles are literal.
export function hostLabel(text: string, platform: ScriptPlatform): string {
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  return platform === 'win32' ? line.replace(/&/g, '&&') : line;
}

// Cuts by code points so a surrogate pair is never split.
function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function wireItem(item: TrayItem, platform: ScriptPlatform): WireItem {
  if (item.kind === 'separator') return item;
  if (!ID_PATTERN.test(item.id)) throw new OpenUtmError('INTERNAL', `tray item id ${JSON.stringify(item.id)} is not plain ASCII`);
  return {
    kind: 'item',
    id: item.id,
    label: hostLabel(item.label, platform),
    // VM lines open the UI at that VM's page, so they are clickable.
    enabled: item.kind === 'vm' ? true : item.enabled,
    checked: item.kind === 'toggle' ? item.checked : null,
  };
}

// The platform-neutral menu as a script host renders it.
export function menuMessage(menu: TrayMenu, platform: ScriptPlatform): HelperMessage {
  const tooltip = hostLabel(menu.tooltip, 'darwin');
  return {
    type: 'menu',
    tooltip: platform === 'win32' ? cut(tooltip, WINDOWS_TOOLTIP_MAX) : tooltip,
    status: menu.status,
    items: menu.items.map((i) => wireItem(i, platform)),
  };
}

// One line, newline included. JSON.stringify already escapes control characters; everything
// past ASCII becomes \uXXXX too, which both hosts' JSON parsers read back to the same text.
export function encodeHostMessage(msg: HelperMessage): string {
  return `${JSON.stringify(msg).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

export type ParsedLine = { ok: true; message: HostMessage } | { ok: false; error: string };

// Parses one line from the host. Never throws: a bad line is reported and skipped, the tray
// goes on. A click must name an item of the menu the host was last sent.
export function parseHostLine(line: string, knownIds: ReadonlySet<string>): ParsedLine {
  const shown = line.length > 120 ? `${line.slice(0, 120)}…` : line;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: `the tray host sent a line that is not JSON: ${JSON.stringify(shown)}` };
  }
  const parsed = HostMessage.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `the tray host sent an unexpected message (${issue.path.join('.') || 'type'}: ${issue.message}): ${JSON.stringify(shown)}` };
  }
  if (parsed.data.type === 'click' && !knownIds.has(parsed.data.id)) {
    return { ok: false, error: `the tray host clicked ${JSON.stringify(parsed.data.id)}, which is not in the menu it was sent` };
  }
  return { ok: true, message: parsed.data };
}

// Splits a byte stream into lines, bounded: a line past `max` characters is dropped (with an
// error) up to its newline, so a runaway host cannot grow the helper's memory.
export class LineSplitter {
  private buffer = '';
  private overflowing = false;

  constructor(private readonly max = MAX_HOST_LINE) {}

  push(chunk: string): { lines: string[]; errors: string[] } {
    const lines: string[] = [];
    const errors: string[] = [];
    const parts = (this.buffer + chunk).split('\n');
    this.buffer = parts.pop()!;
    for (const part of parts) {
      if (this.overflowing) this.overflowing = false;
      else if (part.length > this.max) errors.push(`the tray host sent a line of ${part.length} characters (limit ${this.max}); it was dropped`);
      else lines.push(part.replace(/\r$/, ''));
    }
    if (this.buffer.length > this.max) {
      if (!this.overflowing) errors.push(`the tray host sent a line longer than ${this.max} characters; it was dropped`);
      this.overflowing = true;
      this.buffer = '';
    }
    return { lines: lines.filter((l) => l.trim() !== ''), errors };
  }
}
