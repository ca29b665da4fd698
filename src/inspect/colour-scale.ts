// The colour scale shared by the terminal view and the HTML page: where a value falls between the scale's ends, and the
// background colour there (blue–white–red when values take both signs, white–red otherwise). The page runs these very
// functions (their source is embedded), so both show the same colours.

export interface Scale {
  readonly min: number;
  readonly max: number;
  /** Blue below the middle, red above it (signed values); otherwise white to red. */
  readonly diverging: boolean;
}

/** Where v falls on the scale, 0 … 1 (clamped); NaN stays NaN. Self-contained: the page embeds its source. */
export function positionOnScale(v: number, scale: Scale): number {
  if (v === null || !Number.isFinite(v)) return Number.NaN;
  const span = scale.max - scale.min;
  return span > 0 ? Math.min(1, Math.max(0, (v - scale.min) / span)) : 0.5;
}

/** The background colour at position t of the scale, [r, g, b]. Self-contained: the page embeds its source. */
export function colourAt(t: number, diverging: boolean): [number, number, number] {
  const white = [245, 245, 245], red = [214, 39, 40], blue = [31, 119, 180];
  const mix = (a: number[], b: number[], u: number): [number, number, number] =>
    [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * u)) as [number, number, number];
  if (!Number.isFinite(t)) return [245, 245, 245];
  if (!diverging) return mix(white, red, t);
  return t < 0.5 ? mix(blue, white, t * 2) : mix(white, red, (t - 0.5) * 2);
}
