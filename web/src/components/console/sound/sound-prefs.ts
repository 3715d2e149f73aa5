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

// The stored text itself: a string, so useSyncExternalStore sees a change only when it changed.
export function readSoundPrefsRaw(): string | null {
  return storage()?.getItem(SOUND_PREFS_KEY) ?? null;
}

export function soundPrefOf(raw: string | null, vmId: string): SoundPref {
  return parseSoundPrefs(raw)[vmId] ?? DEFAULT_SOUND;
}

const listeners = new Set<() => void>();

// Changes made in this page, and in other tabs (the storage event).
export function subscribeSoundPrefs(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key === SOUND_PREFS_KEY) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function saveSoundPref(vmId: string, pref: SoundPref): void {
  const s = storage();
  if (!s) return;
  const all = parseSoundPrefs(s.getItem(SOUND_PREFS_KEY));
  all[vmId] = SoundPref.parse(pref);
  try {
    s.setItem(SOUND_PREFS_KEY, JSON.stringify(all));
  } catch {
    // A full or read-only storage: the setting lasts as long as the session.
  }
  for (const l of [...listeners]) l();
}
