/**
 * Preloaded into an example's process (`--import`) to run it at another time of day: the clock
 * starts at `CARTBACK_TEST_NOW` and runs on from there, so what an example does depending on the hour
 * can be tested for each hour, whatever the real time is.
 */
const start = Date.parse(process.env.CARTBACK_TEST_NOW ?? "");
if (Number.isNaN(start)) throw new Error("shifted-clock: set CARTBACK_TEST_NOW to an ISO time");
const RealDate = Date;
const offset = start - RealDate.now();

class ShiftedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...(args as [number]));
  }
  static override now(): number {
    return RealDate.now() + offset;
  }
}
globalThis.Date = ShiftedDate as DateConstructor;
