/**
 * Pictures from the exported SVG (svg.ts): decoded by the browser as an image, drawn on a canvas. A data URL, not a
 * blob: a page opened from file:// may draw it and still read the canvas back (toBlob, a video's frames).
 */

/** The SVG text, decoded as an image (rejects with a message if the browser cannot read it). */
export function svgImage(svg: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('the browser could not draw the chart as an image'));
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
  });
}

/** The SVG as a PNG at `ratio` device pixels per CSS pixel (2: sharp on a slide or a retina screen). */
export async function svgToPng(svg: string, width: number, height: number, ratio = 2): Promise<Blob> {
  const img = await svgImage(svg);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser has no 2D canvas');
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the PNG'))), 'image/png'));
}
