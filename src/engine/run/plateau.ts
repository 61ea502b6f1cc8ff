// Plateau state machine: fires when K consecutive |composite delta| < epsilon. One-shot until reset.
export class PlateauState {
  private window: number[] = [];
  private fired = false;
  constructor(
    readonly k: number,
    readonly epsilon: number,
  ) {
    if (!Number.isInteger(k) || k < 2) throw new Error(`plateau window K must be an integer >= 2 (got ${k})`);
    if (!(epsilon > 0)) throw new Error(`plateau epsilon must be > 0 (got ${epsilon})`);
  }

  /** Feeds one composite delta; returns true exactly when the plateau fires. */
  observe(delta: number): boolean {
    if (this.fired) return false;
    // NaN (a broken measurement) is never "no change"
    if (!(Math.abs(delta) < this.epsilon)) {
      this.window = [];
      return false;
    }
    this.window.push(Math.abs(delta));
    if (this.window.length > this.k) this.window.shift();
    if (this.window.length >= this.k) {
      this.fired = true;
      return true;
    }
    return false;
  }

  /** how many sub-epsilon deltas are in the current window */
  get streak(): number {
    return this.window.length;
  }

  get hasFired(): boolean {
    return this.fired;
  }

  reason(): string {
    return this.fired ? `plateau: ${this.k} consecutive |delta| < ${this.epsilon}` : '';
  }

  reset(): void {
    this.window = [];
    this.fired = false;
  }
}
