// Ending a whole process tree: the script, its children, their children
// (a hang kill must leave no orphan behind).

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Every live descendant of `root` (not `root` itself), parents before children. */
export function descendants(root: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const [pid, ppid] of parentLinks()) {
    const list = childrenOf.get(ppid) ?? [];
    list.push(pid);
    childrenOf.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of childrenOf.get(pid) ?? []) {
      if (out.includes(child)) continue;
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** SIGKILLs `root`, its descendants and `others` (processes of the run that may have been re-parented). */
export function killTree(root: number, others: Iterable<number> = []): number[] {
  // Stop the parents first so they cannot start new children, then the rest.
  const targets = [...new Set([root, ...descendants(root), ...others])].filter((pid) => pid > 1 && pid !== process.pid);
  const killed: number[] = [];
  for (const pid of targets) {
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // already gone
    }
  }
  return killed;
}

/** The process is running (or stopped): not gone, and not a zombie waiting for its parent's wait. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function parentLinks(): [number, number][] {
  if (process.platform === 'linux') {
    const links: [number, number][] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        // /proc/PID/stat: "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        links.push([Number(name), Number(fields[1])]);
      } catch {
        // it ended meanwhile
      }
    }
    return links;
  }
  const ps = spawnSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { encoding: 'utf8' });
  if (ps.status !== 0) return [];
  return ps.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((pair): pair is [number, number] => pair.length === 2 && pair.every(Number.isInteger));
}
