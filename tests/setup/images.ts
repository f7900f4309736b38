import { PNG } from 'pngjs'

/** A PNG of one colour, made by a real encoder. */
export function pngBytes(width: number, height: number, rgba: [number, number, number, number] = [16, 70, 128, 255]): Buffer {
  const png = new PNG({ width, height })
  for (let i = 0; i < width * height; i++) png.data.set(rgba, i * 4)
  return PNG.sync.write(png)
}
