import path from 'node:path';
import { assertPrintable, xmlEscape } from './command-text';
import type { LaunchCommand } from './launch-command';

// macOS: a LaunchAgent, which launchd loads from ~/Library/LaunchAgents at every login.
export const LAUNCH_AGENT_LABEL = 'org.openutm.helper';

export function launchAgentFile(home: string): string {
  return path.posix.join(home, 'Library', 'LaunchAgents', `${LAUNCH_AGENT_LABEL}.plist`);
}

// The plist: run once at load (login), never restarted by launchd (the tray's Quit must stick),
// output appended to the helper's log. ProgramArguments is an argv, so no shell quoting exists.
export function launchAgentPlist(command: LaunchCommand, logFile: string): string {
  assertPrintable([...command.argv, logFile]);
  const str = (s: string) => `<string>${xmlEscape(s)}</string>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    `  <key>Label</key>`,
    `  ${str(LAUNCH_AGENT_LABEL)}`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...command.argv.map((a) => `    ${str(a)}`),
    '  </array>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <false/>',
    '  <key>ProcessType</key>',
    '  <string>Interactive</string>',
    '  <key>StandardOutPath</key>',
    `  ${str(logFile)}`,
    '  <key>StandardErrorPath</key>',
    `  ${str(logFile)}`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

// Loads the agent into this login session now (and so runs it: RunAtLoad).
export function bootstrapArgv(uid: number, plistFile: string): string[] {
  return ['launchctl', 'bootstrap', `gui/${uid}`, plistFile];
}

// Unloads it from this login session, stopping a helper launchd started.
export function bootoutArgv(uid: number): string[] {
  return ['launchctl', 'bootout', `gui/${uid}/${LAUNCH_AGENT_LABEL}`];
}

export function isOurLaunchAgent(text: string): boolean {
  return text.includes(`<string>${LAUNCH_AGENT_LABEL}</string>`);
}
