// Why the config cannot be read, and how to read it: installed, it is the service user's (mode
// 600 in a folder only its group enters), so a login user's command meets EACCES. The one-line
// error names the user to run as (sudo -u) and, where the file's mode lets a group read it, the group.
import type { Stats } from 'node:fs';
import { fs } from '../core/node-fs.js';
import path from 'node:path';
const { readFileSync, statSync } = fs;

export interface Owner {
  /** The user that owns the file (or, when the file cannot be looked at, its folder's group's user). */
  user: string;
  /** The group that may read the file, when its mode gives the group read access. */
  readingGroup: string | undefined;
}

/** Names by id from a passwd or group file's text ("name:x:id:..."). */
export function namesById(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id !== undefined && /^\d+$/.test(id)) out.set(Number(id), name);
  }
  return out;
}

function names(file: string): Map<number, string> {
  try {
    return namesById(readFileSync(file, 'utf8'));
  } catch {
    return new Map();
  }
}

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/**
 * Who can read `file`: its owner and reading group, or, when its folder hides it, the folder's
 * group (install.sh makes the folder root:SERVICE_USER 750, the file SERVICE_USER's own).
 */
export function configOwner(file: string, files = { passwd: '/etc/passwd', group: '/etc/group' }): Owner | undefined {
  const users = names(files.passwd);
  const groups = names(files.group);
  const st = statOrUndefined(file);
  if (st) {
    return {
      user: users.get(st.uid) ?? String(st.uid),
      readingGroup: st.mode & 0o040 ? (groups.get(st.gid) ?? String(st.gid)) : undefined,
    };
  }
  const dir = statOrUndefined(path.dirname(file));
  if (!dir) return undefined;
  const group = groups.get(dir.gid) ?? String(dir.gid);
  return {
    user: dir.uid === 0 && dir.gid !== 0 ? group : (users.get(dir.uid) ?? String(dir.uid)),
    readingGroup: undefined,
  };
}

/** "cannot read config file F: permission denied (EACCES); run the command as U: sudo -u U ..." */
export function unreadableConfigMessage(file: string, code: string, owner: Owner | undefined): string {
  const how = owner
    ? `; it is ${owner.user}'s: run the command as that user, sudo -u ${owner.user} artframe-immich ...` +
      (owner.readingGroup
        ? `, or join the group that can read it: sudo usermod -aG ${owner.readingGroup} $USER (then log in again)`
        : '')
    : '';
  return `cannot read config file ${file}: permission denied (${code})${how}; or name another with --config FILE`;
}
