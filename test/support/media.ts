/** Test media: a WAV file made on the spot, and playing it in a page. */

import type { Page } from "playwright-core";

/** `seconds` of a 440 Hz tone as 8 kHz mono 16-bit PCM WAV. */
export function wav(seconds: number): Buffer {
  const rate = 8000;
  const samples = rate * seconds;
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write("RIFF", 0);
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write("WAVEfmt ", 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write("data", 36);
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) buf.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return buf;
}

/**
 * Plays `url` in an `<audio>` element on `page` (muted) from `seconds` in: resolves with the
 * media's duration and where it plays once the seek is done and playback started.
 */
export function playFrom(page: Page, url: string, seconds: number): Promise<{ duration: number; at: number }> {
  return page.evaluate(
    ([u, seconds]) =>
      new Promise<{ duration: number; at: number }>((resolve, reject) => {
        const audio = new Audio();
        audio.muted = true;
        audio.onerror = () => reject(new Error(`audio error ${audio.error?.code}`));
        audio.onloadedmetadata = () => {
          audio.currentTime = seconds;
        };
        audio.onseeked = () => {
          void audio.play().then(() => resolve({ duration: audio.duration, at: audio.currentTime }), reject);
        };
        audio.src = u;
      }),
    [url, seconds] as const,
  );
}
