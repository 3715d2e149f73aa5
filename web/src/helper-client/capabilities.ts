import { METHODS, OpenUtmError, type Feature, type MethodName, type Welcome } from '@openutm/shared';

// A hosted UI can be newer than the helper it talks to (the UI updates itself; the helper is an
// installed program). The helper's welcome lists the methods it serves: what this UI knows and
// the helper lacks is switched off with a reason instead of failing as an "unknown method".

// The methods this UI knows that the helper did not list (none when it has not said hello yet).
export function missingMethods(welcome: Pick<Welcome, 'capabilities'> | null): MethodName[] {
  if (welcome === null) return [];
  const served = new Set(welcome.capabilities);
  return (Object.keys(METHODS) as MethodName[]).filter((m) => !served.has(m));
}

// Why a call cannot be made to this helper, or null when it can.
export function unsupportedCall(method: MethodName, welcome: Pick<Welcome, 'capabilities' | 'helperVersion'> | null): OpenUtmError | null {
  if (welcome === null || welcome.capabilities.includes(method)) return null;
  return new OpenUtmError(
    'HELPER_TOO_OLD',
    `the OpenUTM helper (version ${welcome.helperVersion}) is older than this app and cannot do this (${method}); update the helper on this computer, then reload`,
    { method, helperVersion: welcome.helperVersion },
  );
}

// Why this helper cannot do `what` (a feature its welcome did not list), or null when it can or
// has not said hello yet. Controls that need it are disabled with this as the reason.
export function missingFeature(feature: Feature, what: string, welcome: Pick<Welcome, 'capabilities' | 'helperVersion'> | null): string | null {
  if (welcome === null || welcome.capabilities.includes(feature)) return null;
  return `the helper (version ${welcome.helperVersion}) is older than this app and cannot ${what}; update the helper on this computer`;
}
