// What to tell the owner when a file of the library cannot be read or written for want of
// permission: who owns it, its mode, who this process runs as, and the command that fixes it.
import { stat } from '../core/fs-async.js';
import { nodeOs } from '../core/node-fs.js';

/** "owned by uid 0 with mode 0600, and this process runs as uid 1000 (pi): run `sudo chown pi FILE`
 * (or `sudo chmod u+rw,g+r FILE`)". Null when the file cannot even be looked at. */
export async function permissionAdvice(file: string): Promise<string | null> {
  const s = await stat(file).catch(() => null);
  if (!s) return null;
  const uid = process.getuid?.();
  if (uid === undefined) return null;
  let user: string;
  try {
    user = nodeOs().userInfo().username;
  } catch {
    user = String(uid);
  }
  const mode = (s.mode & 0o777).toString(8).padStart(4, '0');
  return `it is owned by uid ${s.uid} with mode ${mode}, and this process runs as uid ${uid} (${user}): run \`sudo chown ${user} ${file}\` (or \`sudo chmod a+r ${file}\`)`;
}
