// Time zero of a run and the alignment of every process's clock to it.
//
// Each process says hello with a clock pair read together: its monotonic
// `mono` (perf_counter_ns) and its wall clock `wall` (ns). Its events carry
// `dt`, monotonic ns since that pair. The processes of a run share one
// monotonic clock (the machine's: CLOCK_MONOTONIC, mach_absolute_time, QPC),
// so an event's time since the base is exactly
//   t = (hello.mono - base.mono) + dt.
// Aligning through the wall clocks instead was off by however long a process
// was held up between its two reads: on a busy machine, more than a millisecond,
// enough to show a lock's next holder taking it before the last one let go.
// A process whose monotonic clock tells a story other than its wall clock's
// (another clock, another time namespace) is aligned through its wall clock.
// Clocks in ns do not fit a double, so the subtractions are done in BigInt;
// the differences (small) and dt are then plain numbers.

import { performance } from 'node:perf_hooks';

/** Monotonic and wall clocks disagreeing by more than this are two different stories. */
const SAME_CLOCK_NS = 10_000_000_000n;

interface ClockPair {
  wallNs: bigint;
  monoNs: bigint;
}

export class RunClock {
  private base: ClockPair | undefined;
  /** What to take from process.hrtime.bigint() for the listener's own events' times. */
  private listenerZero = 0n;

  /** The wall clock of time zero, or undefined while nothing fixed it yet. */
  get baseWall(): bigint | undefined {
    return this.base?.wallNs;
  }

  /**
   * The offset (ns) to add to a process's `dt`. The first hello of the run
   * (the main process's) fixes time zero.
   */
  offsetForHello(helloWallNs: bigint, helloMonoNs: bigint): number {
    const base = this.fixBase({ wallNs: helloWallNs, monoNs: helloMonoNs });
    const byMono = helloMonoNs - base.monoNs;
    const byWall = helloWallNs - base.wallNs;
    return Number(sameClock(byMono, byWall) ? byMono : byWall);
  }

  /** Now, for events the listener writes itself. */
  listenerNow(): number {
    this.fixBase(nodeClockPair());
    return Number(process.hrtime.bigint() - this.listenerZero);
  }

  clockBase(): { wallNs: string; iso: string } {
    const base = this.fixBase(nodeClockPair());
    return { wallNs: base.wallNs.toString(), iso: new Date(Number(base.wallNs / 1_000_000n)).toISOString() };
  }

  /**
   * Fixes time zero if nothing did yet. Only when no process connected before
   * the listener had something to write (a refused connection first, or a run
   * where nothing connected) is time zero node's own clock.
   */
  private fixBase(candidate: ClockPair): ClockPair {
    if (this.base === undefined) {
      this.base = candidate;
      // Node's hrtime is the machine's monotonic clock too, unless its story says otherwise.
      const node = nodeClockPair();
      const byMono = node.monoNs - candidate.monoNs;
      const byWall = node.wallNs - candidate.wallNs;
      this.listenerZero = sameClock(byMono, byWall) ? candidate.monoNs : node.monoNs - byWall;
    }
    return this.base;
  }
}

function sameClock(byMono: bigint, byWall: bigint): boolean {
  const disagreement = byMono - byWall;
  return disagreement <= SAME_CLOCK_NS && disagreement >= -SAME_CLOCK_NS;
}

function nodeClockPair(): ClockPair {
  // timeOrigin + now() is ms with µs precision, better than Date.now().
  const wallNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
  return { wallNs, monoNs: process.hrtime.bigint() };
}
