import { crc32, deflateSync } from "node:zlib";

/**
 * The site's icon, drawn here rather than shipped as binary files: a ring left open on its right
 * (the "open" of Cité Ouverte), white on the platform's blue. The same shape as SVG for browsers
 * that take it, as PNG for the home screens of phones (apple-touch-icon) and inside favicon.ico
 * for the clients that ask for that file alone. Node's zlib is all a PNG needs.
 */
const BLUE = [0x0b, 0x4f, 0x8a] as const;
const WHITE = [0xff, 0xff, 0xff] as const;
// Ring radii and the half-angle of its opening, as fractions of the side and in radians.
const OUTER = 0.34;
const INNER = 0.2;
const GAP = Math.PI / 5;

export const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b4f8a"/>' +
  `<path d="${ringPath(32)}" fill="#fff"/></svg>`;

/** The open ring as one closed SVG path on a square of this side. */
function ringPath(side: number): string {
  const c = side / 2;
  const point = (radius: number, angle: number) => `${(c + radius * side * Math.cos(angle)).toFixed(2)} ${(c - radius * side * Math.sin(angle)).toFixed(2)}`;
  return (
    `M${point(OUTER, GAP)}A${OUTER * side} ${OUTER * side} 0 1 0 ${point(OUTER, -GAP)}` +
    `L${point(INNER, -GAP)}A${INNER * side} ${INNER * side} 0 1 1 ${point(INNER, GAP)}Z`
  );
}

/** How much of the pixel the ring covers, sampled 4×4 so that its edges are smooth. */
function coverage(x: number, y: number, side: number): number {
  let inside = 0;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const dx = (x + (i + 0.5) / 4) / side - 0.5;
      const dy = 0.5 - (y + (j + 0.5) / 4) / side;
      const radius = Math.hypot(dx, dy);
      if (radius <= OUTER && radius >= INNER && Math.abs(Math.atan2(dy, dx)) > GAP) inside++;
    }
  }
  return inside / 16;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** The icon as an opaque RGB PNG of this side, in pixels. */
export function iconPng(side: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < side; y++) {
    const row = Buffer.alloc(1 + side * 3); // filter byte 0: the row as it is
    for (let x = 0; x < side; x++) {
      const share = coverage(x, y, side);
      for (let channel = 0; channel < 3; channel++) row[1 + x * 3 + channel] = Math.round(BLUE[channel]! * (1 - share) + WHITE[channel]! * share);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, truecolour, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(Buffer.concat(rows), { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}

/** favicon.ico holding one 32×32 PNG, which every browser since 2007 reads inside an ICO. */
export function iconIco(): Buffer {
  const png = iconPng(32);
  const header = Buffer.alloc(22);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // an icon
  header.writeUInt16LE(1, 4); // one image
  header.set([32, 32, 0, 0], 6); // width, height, no palette
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(24, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(22, 18); // the image follows the directory
  return Buffer.concat([header, png]);
}
