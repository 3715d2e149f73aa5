// The helper's version, reported by `openutm --version` and in the API's welcome.
export const HELPER_VERSION = '0.1.0';
