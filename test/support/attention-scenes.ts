// Generated scenes for the attention crop (test/render/attention.test.ts, the quality bench): a
// soft background and one subject (a disc of one colour, or a checkered patch) somewhere in it.

export interface SceneSubject {
  cx: number;
  cy: number;
  radius: number;
  colour: readonly number[];
  checkered?: boolean;
}

export const SCENE_COLOURS = {
  skin: [224, 172, 140],
  red: [200, 30, 40],
  white: [240, 240, 240],
  green: [30, 160, 60],
} as const;

/** The scene as raw 8-bit RGB, `width` x `height`. */
export function scene(width: number, height: number, subject: SceneSubject, background: readonly number[]): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const inside = Math.hypot(x - subject.cx, y - subject.cy) < subject.radius;
      const check = inside && subject.checkered ? (((x >> 3) + (y >> 3)) & 1) * 200 : 0;
      for (let c = 0; c < 3; c++) {
        const v = inside ? subject.colour[c]! - check : background[c]! + 20 * Math.sin(x / 90 + c) * Math.cos(y / 70);
        data[o + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return data;
}
