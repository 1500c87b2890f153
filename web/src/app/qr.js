// QR codes for the token backup: qrcode-generator (Kazuhiko Arase, MIT,
// pinned in package.json) computes the modules; we draw them as one SVG
// <path> with createElementNS (no innerHTML, no data: URL, no canvas), so the
// CSP's script-src/style-src 'self' is enough.

import qrcode from 'qrcode-generator';

const SVG_NS = 'http://www.w3.org/2000/svg';
const QUIET_ZONE = 4; // modules of white border, as ISO/IEC 18004 asks

/**
 * The module matrix of `text` (UTF-8, byte mode, error correction M, the
 * smallest version that fits) as {size, dark(row, col)}. Pure: usable in Node.
 */
export function qrMatrix(text, level = 'M') {
  const qr = qrcode(0, level);
  qr.addData(unescape(encodeURIComponent(text)), 'Byte'); // UTF-8 bytes as a binary string
  qr.make();
  const size = qr.getModuleCount();
  return { size, dark: (r, c) => qr.isDark(r, c) };
}

/** The SVG path data ("M x y h1 v1 h-1 z" per dark module) of a matrix, offset by the quiet zone. */
export function qrPath(matrix) {
  const parts = [];
  for (let r = 0; r < matrix.size; r++) {
    for (let c = 0; c < matrix.size; c++) {
      if (matrix.dark(r, c)) parts.push(`M${c + QUIET_ZONE} ${r + QUIET_ZONE}h1v1h-1z`);
    }
  }
  return parts.join('');
}

/**
 * An <svg> (role img, labelled by `label`) showing `text` as a QR code; it
 * scales with its container (viewBox, no fixed size) and keeps the quiet zone.
 */
export function qrSvg(text, label = '') {
  const m = qrMatrix(text);
  const full = m.size + 2 * QUIET_ZONE;
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${full} ${full}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('shape-rendering', 'crispEdges');
  if (label) svg.setAttribute('aria-label', label);
  const bg = document.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('width', String(full));
  bg.setAttribute('height', String(full));
  bg.setAttribute('fill', '#ffffff');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', qrPath(m));
  path.setAttribute('fill', '#000000');
  svg.append(bg, path);
  return svg;
}
