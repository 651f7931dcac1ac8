#!/bin/sh
# The HTML report renders in a real browser. test_plot writes its figures
# and report.html; each standalone SVG must parse with a real XML parser
# (Python's), and headless Chromium takes a screenshot of the page, which
# must not be blank: at least 2 % of its pixels not white and at least 20
# distinct colours (text, lines, heat maps). A page whose inline SVG the
# browser rejects renders as nothing there, and fails.
# Usage: report_render_test.sh TEST_PLOT
#        report_render_test.sh --page REPORT_HTML   (a run's own report and its SVGs)
set -u
chromium=${CHROMIUM:-/usr/bin/chromium}
python=/usr/bin/python3
if [ ! -x "$chromium" ]; then
  echo "FAIL: $chromium not found: run scripts/install-deps (Debian package 'chromium')"
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$1" = --page ]; then
  page=$2
  pages_dir=$(dirname "$page")
else
  "$1" "$work/out" > "$work/test_plot.log" 2>&1 || {
    cat "$work/test_plot.log"
    echo "FAIL: test_plot did not write the report"
    exit 1
  }
  page=$work/out/report.html
  pages_dir=$work/out
fi

# Each standalone figure is XML a strict parser accepts, with an <svg> root
# in the SVG namespace.
"$python" - "$pages_dir"/*.svg <<'EOF' || exit 1
import sys
import xml.etree.ElementTree as ET
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        sys.exit(f"FAIL: {path}: {e}")
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        sys.exit(f"FAIL: {path}: the root is {root.tag}, not an SVG <svg>")
EOF

# --no-sandbox: the sandbox cannot start as root or in most containers; the
# page is our own file. A throwaway profile keeps runs independent, and
# timeout keeps a stuck browser from hanging the test suite.
timeout 60 "$chromium" --headless --disable-gpu --no-sandbox --hide-scrollbars \
  --user-data-dir="$work/profile" --window-size=1200,3000 \
  --screenshot="$work/page.png" "file://$(cd "$(dirname "$page")" && pwd)/$(basename "$page")" > "$work/chromium.log" 2>&1
rc=$?
if [ $rc -ne 0 ] || [ ! -s "$work/page.png" ]; then
  tail -5 "$work/chromium.log"
  echo "FAIL: chromium made no screenshot (exit $rc; 124 is the 60 s timeout)"
  exit 1
fi

# Decode the PNG with the standard library only (zlib, the five filter
# types, 8-bit RGB or RGBA) and measure how much is drawn.
"$python" - "$work/page.png" <<'EOF'
import struct
import sys
import zlib

def decode_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("FAIL: the screenshot is not a PNG")
    pos, idat = 8, []
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if depth != 8 or colour not in (2, 6) or interlace:
        sys.exit(f"FAIL: unexpected PNG format (depth {depth}, colour type {colour})")
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(b"".join(idat)), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:     # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:   # Up
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:   # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:   # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows

width, height, bpp, rows = decode_png(sys.argv[1])
drawn, colours = 0, set()
for line in rows:
    for x in range(0, len(line), bpp):
        rgb = line[x:x + 3]
        colours.add(rgb)
        drawn += min(rgb) < 245
share = drawn / (width * height)
print(f"screenshot {width}x{height}: {100 * share:.1f} % drawn, {len(colours)} colours")
if share < 0.02 or len(colours) < 20:
    sys.exit("FAIL: the rendered report looks blank")
EOF
