import { z } from 'zod';

// The console's volume and mute, remembered per VM in this browser (localStorage), like the
// theme: nothing here goes to the helper.
export const SOUND_PREFS_KEY = 'openutm.console-sound.v1';

export const SoundPref = z.object({ volume: z.number().min(0).max(1), muted: z.boolean() });
export type SoundPref = z.infer<typeof SoundPref>;

export const DEFAULT_SOUND: SoundPref = { volume: 0.8, muted: false };

// Whatever is stored, a map of the entries that are valid: a bad entry (an older version, a
// hand edit) costs only that VM its setting, never the others.
export function parseSoundPrefs(raw: string | null): Record<string, SoundPref> {
  if (raw === null) return {};
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
  const out: Record<string, SoundPref> = {};
  for (const [id, value] of Object.entries(data)) {
    const pref = SoundPref.safeParse(value);
    if (pref.success) out[id] = pref.data;
  }
  return out;
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function readSoundPref(vmId: string): SoundPref {
  return parseSoundPrefs(storage()?.getItem(SOUND_PREFS_KEY) ?? null)[vmId] ?? DEFAULT_SOUND;
}

export function saveSoundPref(vmId: string, pref: SoundPref): void {
  const s = storage();
  if (!s) return;
  const all = parseSoundPrefs(s.getItem(SOUND_PREFS_KEY));
  all[vmId] = SoundPref.parse(pref);
  try {
    s.setItem(SOUND_PREFS_KEY, JSON.stringify(all));
  } catch {
    // A full or read-only storage keeps the setting for this page only.
  }
}
