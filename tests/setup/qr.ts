import { createCanvas } from '@napi-rs/canvas'
import jsQR from 'jsqr'
import type { PDFPageProxy } from 'pdfjs-dist/types/src/display/api'

/**
 * The QR code on a PDF page, scanned from its pixels as a phone would: the page is drawn on white
 * at 2×, 3× and 4× its size and the first scale at which jsQR reads a code answers. One scale alone
 * is not enough: jsQR misses an occasional code at one size that it reads at the others (at 3× it
 * missed the one for certificate PN9N-ENQJ-7CR3-QFSF, which it reads at 2× and 4×), and the
 * certificates' numbers are random. Null when no scale reads one.
 */
export async function scanQrCode(page: PDFPageProxy): Promise<string | null> {
  for (const scale of [2, 3, 4]) {
    const viewport = page.getViewport({ scale })
    const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height))
    const context = canvas.getContext('2d')
    context.fillStyle = '#ffffff'
    context.fillRect(0, 0, canvas.width, canvas.height)
    await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: context as unknown as CanvasRenderingContext2D, viewport }).promise
    const image = context.getImageData(0, 0, canvas.width, canvas.height)
    const code = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength), canvas.width, canvas.height)
    if (code) return code.data
  }
  return null
}
