// The render's limits, apart from the pipeline (render/pipeline.ts) so that what only needs the
// numbers (the service's render deadline, the web thumbnails) does not load sharp to read them.

/** 100 megapixels: above every phone and most cameras (sharp's own default is 268). */
export const MAX_INPUT_PIXELS = 100_000_000;
/** libvips stops a render that takes longer than this (a Pi Zero 2 renders a photo in seconds). */
export const RENDER_TIMEOUT_SECONDS = 120;
