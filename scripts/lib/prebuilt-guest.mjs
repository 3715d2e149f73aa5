// A test guest built elsewhere (CI's Linux job) is used only if every file is the one its
// manifest names: a truncated download would otherwise fail as a confusing boot timeout.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// What is wrong with the guest in `dir` (empty when nothing is): files missing, of the wrong
// size or with the wrong SHA-256, compared with manifest.json's "files".
export function prebuiltGuestProblems(dir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  } catch (e) {
    return [`manifest.json cannot be read: ${e.message}`];
  }
  const files = Object.values(manifest.files ?? {});
  if (files.length === 0) return ['manifest.json lists no files'];
  const problems = [];
  for (const f of files) {
    const file = path.join(dir, f.path);
    let size;
    try {
      size = statSync(file).size;
    } catch {
      problems.push(`${f.path} is missing`);
      continue;
    }
    if (size !== f.size) problems.push(`${f.path} has ${size} bytes, the manifest says ${f.size}`);
    else if (createHash('sha256').update(readFileSync(file)).digest('hex') !== f.sha256) problems.push(`${f.path} does not match its SHA-256`);
  }
  return problems;
}
