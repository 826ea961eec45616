/**
 * @module A progress bar on standard error: redrawn in place on a terminal, one line per tenth
 * of the work otherwise (so a log file stays short).
 */
export class ProgressBar {
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #total: number;
  readonly #started = Date.now();
  #lastDecile = -1;

  constructor(stream: NodeJS.WritableStream, total: number) {
    this.#stream = stream;
    this.#total = total;
  }

  /** Shows `done` of the total, with what was just finished. */
  update(done: number, label: string): void {
    const share = this.#total === 0 ? 1 : done / this.#total;
    const width = 24;
    const filled = Math.round(share * width);
    const elapsed = (Date.now() - this.#started) / 1000;
    const left = done > 0 ? (elapsed / done) * (this.#total - done) : NaN;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.#total} ${label}${Number.isFinite(left) && done < this.#total ? `, about ${Math.ceil(left)} s left` : ''}`;
    if (this.#stream.isTTY) {
      this.#stream.write(`\r\x1b[2K${line}`);
      if (done === this.#total) this.#stream.write('\n');
      return;
    }
    const decile = Math.floor(share * 10);
    if (decile !== this.#lastDecile || done === this.#total) {
      this.#lastDecile = decile;
      this.#stream.write(line + '\n');
    }
  }
}
