'use client';

import type { DiscBoot } from '@openutm/shared';
import { useEffect, useState } from 'react';
import { hostInspectMedia } from '../../helper-client/media-api';

// What the helper reads from the disc at `path` (BIOS/UEFI entries), or null while unknown: no
// path, not absolute, not readable (the field's own check says why), or the answer not in yet.
// Typing waits for a pause before asking.
export function useDiscBoot(path: string, connected: boolean): DiscBoot | null {
  const [answer, setAnswer] = useState<{ path: string; boot: DiscBoot } | null>(null);
  useEffect(() => {
    if (!connected || !/^([/\\]|[A-Za-z]:[/\\]|~)/.test(path)) return;
    let current = true;
    const timer = setTimeout(() => {
      hostInspectMedia(path).then(
        (boot) => current && setAnswer({ path, boot }),
        () => current && setAnswer(null),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [path, connected]);
  return answer?.path === path ? answer.boot : null;
}

// One line under the disc field: which firmware the disc boots with.
export function discBootText(boot: DiscBoot): string | null {
  if (boot.format !== 'iso9660' || (!boot.bios && !boot.uefi)) return null;
  return boot.bios && boot.uefi ? 'This disc boots with BIOS and UEFI.' : boot.bios ? 'This disc boots only with BIOS, so the VM gets BIOS firmware.' : 'This disc boots only with UEFI, so the VM gets UEFI firmware.';
}
