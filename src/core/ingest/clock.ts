// Time zero of a run and the alignment of every process's clock to it.
//
// Each process says hello with a clock pair read together: its monotonic
// `mono` and its wall clock `wall` (ns). Its events carry `dt`, monotonic ns
// since that pair, so an event's time since the base is
//   t = (hello.wall - base.wall) + dt.
// Wall clocks in ns do not fit a double, so the subtraction is done in BigInt;
// the difference (small) and dt are then plain numbers.

import { performance } from 'node:perf_hooks';

export class RunClock {
  private baseWallNs: bigint | undefined;
  /** process.hrtime.bigint() when the base was fixed: the listener's own events are measured from it. */
  private hrtimeAtBase = 0n;

  /** The wall clock of time zero, or undefined while nothing fixed it yet. */
  get baseWall(): bigint | undefined {
    return this.baseWallNs;
  }

  /**
   * The offset (ns) to add to a process's `dt`. The first hello of the run
   * (the main process's) fixes time zero.
   */
  offsetForHello(helloWallNs: bigint): number {
    return Number(helloWallNs - this.fixBase(helloWallNs));
  }

  /** Now, for events the listener writes itself. */
  listenerNow(): number {
    this.fixBase(nodeWallClockNs());
    return Number(process.hrtime.bigint() - this.hrtimeAtBase);
  }

  clockBase(): { wallNs: string; iso: string } {
    const base = this.fixBase(nodeWallClockNs());
    return { wallNs: base.toString(), iso: new Date(Number(base / 1_000_000n)).toISOString() };
  }

  /**
   * Fixes time zero if nothing did yet. Only when no process connected before
   * the listener had something to write (a refused connection first, or a run
   * where nothing connected) is time zero node's own clock.
   */
  private fixBase(candidateWallNs: bigint): bigint {
    if (this.baseWallNs === undefined) {
      this.baseWallNs = candidateWallNs;
      this.hrtimeAtBase = process.hrtime.bigint();
    }
    return this.baseWallNs;
  }
}

function nodeWallClockNs(): bigint {
  // timeOrigin + now() is ms with µs precision, better than Date.now().
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}
