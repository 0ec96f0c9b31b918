// Every place a driver's wire stream departs on purpose from the vendor trace it reproduces,
// each backed by another vendor reference. test/drivers/vendor-traces.test.ts allows exactly
// these differences and fails on any other (and on a listed one that no longer happens).

export interface Departure {
  /** Catalogue id of the panel. */
  panel: string;
  /** Which recorded sequence: a buffer name of the fixtures' manifest, or `clear`. */
  trace: string;
  /** 1-based line of the vendor trace that differs. */
  line: number;
  /** That line in the vendor trace and in ours (data runs as `data COUNT xHEX...` summaries). */
  vendor: string;
  ours: string;
  why: string;
  /** The vendor reference we follow instead (repository @ commit, file:line). */
  evidence: string;
}

export const DEPARTURES: readonly Departure[] = [
  ...[107, 112].map((line) => ({
    panel: 'waveshare-13in3e',
    trace: 'clear',
    line,
    vendor: 'data 960000 x11',
    ours: 'data 480000 x11',
    why: "Python's Clear() sends width/2 bytes a row to each controller, twice its 480,000-byte half of the frame (epd13in3E.py:256-266); we send the half once, as display() does for a white frame",
    evidence:
      'waveshareteam/e-Paper @86aa993 E-paper_Separate_Program/13.3inch_e-Paper_E/RaspberryPi/c/lib/e-Paper/EPD_13in3e.c:280-294 (EPD_13IN3E_Clear sends EPD_13IN3E_WIDTH*EPD_13IN3E_HEIGHT/4 = 480,000 bytes to each chip select)',
  })),
];
