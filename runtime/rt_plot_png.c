/* rt_plot_png.c -- heat maps: colour maps, and images of palette indices
 * as 8-bit palette PNGs in data: URIs, encoded here (stored deflate
 * blocks: no compression library). One <image> element replaces one
 * <rect> per cell.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt_plot_internal.h"

//////// Colour maps ////////

/* ColorBrewer RdBu (11 classes) reversed: blue for negative, red for
 * positive, near-white at 0. */
static const unsigned char rdbu[11][3] = {
    {0x05, 0x30, 0x61}, {0x21, 0x66, 0xac}, {0x43, 0x93, 0xc3}, {0x92, 0xc5, 0xde},
    {0xd1, 0xe5, 0xf0}, {0xf7, 0xf7, 0xf7}, {0xfd, 0xdb, 0xc7}, {0xf4, 0xa5, 0x82},
    {0xd6, 0x60, 0x4d}, {0xb2, 0x18, 0x2b}, {0x67, 0x00, 0x1f}};
/* matplotlib's viridis at 9 evenly spaced points (perceptually uniform). */
static const unsigned char viridis[9][3] = {
    {0x44, 0x01, 0x54}, {0x47, 0x2d, 0x7b}, {0x3b, 0x52, 0x8b}, {0x2c, 0x72, 0x8e},
    {0x21, 0x91, 0x8c}, {0x28, 0xae, 0x80}, {0x5e, 0xc9, 0x62}, {0xad, 0xdc, 0x30},
    {0xfd, 0xe7, 0x25}};

void rtp_colour_map(int diverging, unsigned char pal[256][3])
{
    const unsigned char(*anchor)[3] = diverging ? rdbu : viridis;
    int n = diverging ? 11 : 9;
    for (int i = 0; i < LEVELS; i++) {
        double t = (double)i / (LEVELS - 1) * (n - 1);
        int k = t >= n - 1 ? n - 2 : (int)t;
        for (int c = 0; c < 3; c++)
            pal[i][c] = (unsigned char)lround(anchor[k][c] + (t - k) * (anchor[k + 1][c] - anchor[k][c]));
    }
    pal[NAN_LEVEL][0] = pal[NAN_LEVEL][1] = pal[NAN_LEVEL][2] = 0xb0;
}

unsigned char rtp_colour_level(double v, double lo, double hi)
{
    if (!usable(v))
        return NAN_LEVEL;
    return (unsigned char)lround(clamp((v - lo) / (hi - lo), 0, 1) * (LEVELS - 1));
}

//////// Palette PNG images ////////

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;   /* the PNG CRC (ISO 3309), bit by bit: images are small */
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
}

static void put_u32_be(rt_text *b, uint32_t v)
{
    char c[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};
    rt_text_add(b, c, 4);
}

static void png_chunk(rt_text *png, const char *type, const unsigned char *data, size_t n)
{
    put_u32_be(png, (uint32_t)n);
    size_t start = png->len;
    rt_text_add(png, type, 4);
    rt_text_add(png, (const char *)data, n);
    if (!png->failed)
        put_u32_be(png, crc32_of((const unsigned char *)png->data + start, n + 4));
}

/* Image data in a zlib stream (RFC 1950) of uncompressed deflate blocks
 * (RFC 1951, 3.2.4): no compressor needed, and heat maps are small. */
static void zlib_stored(rt_text *z, const unsigned char *raw, size_t n)
{
    rt_text_add(z, "\x78\x01", 2);
    uint32_t s1 = 1, s2 = 0;   /* Adler-32 */
    size_t off = 0;
    do {
        size_t len = n - off > 65535 ? 65535 : n - off;
        char head[5] = {(char)(off + len == n), (char)(len & 0xff), (char)(len >> 8),
                        (char)(~len & 0xff), (char)((~len >> 8) & 0xff)};
        rt_text_add(z, head, 5);
        rt_text_add(z, (const char *)raw + off, len);
        for (size_t i = off; i < off + len; i++) {
            s1 = (s1 + raw[i]) % 65521;
            s2 = (s2 + s1) % 65521;
        }
        off += len;
    } while (off < n);
    put_u32_be(z, s2 << 16 | s1);
}

/* An 8-bit palette PNG of W x H palette indices. */
static void png_encode(rt_text *png, const unsigned char *index, size_t w, size_t h,
                       unsigned char pal[256][3])
{
    size_t row = w + 1;   /* a filter byte (0: none) before each row */
    unsigned char *raw = w < UINT32_MAX && h < UINT32_MAX && h <= SIZE_MAX / row ? malloc(h * row) : NULL;
    if (!raw) {
        png->failed = 1;
        return;
    }
    for (size_t r = 0; r < h; r++) {
        raw[r * row] = 0;
        memcpy(raw + r * row + 1, index + r * w, w);
    }
    unsigned char ihdr[13] = {(unsigned char)(w >> 24), (unsigned char)(w >> 16), (unsigned char)(w >> 8),
                              (unsigned char)w, (unsigned char)(h >> 24), (unsigned char)(h >> 16),
                              (unsigned char)(h >> 8), (unsigned char)h, 8, 3, 0, 0, 0};
    rt_text z = {0};
    zlib_stored(&z, raw, h * row);
    free(raw);
    rt_text_add(png, "\x89PNG\r\n\x1a\n", 8);
    png_chunk(png, "IHDR", ihdr, sizeof ihdr);
    png_chunk(png, "PLTE", &pal[0][0], 768);
    png_chunk(png, "IDAT", (const unsigned char *)z.data, z.len);
    png_chunk(png, "IEND", NULL, 0);
    png->failed |= z.failed;
    rt_text_free(&z);
}

static void put_base64(rt_text *t, const unsigned char *p, size_t n)
{
    static const char digit[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {digit[v >> 18], digit[(v >> 12) & 63], i + 1 < n ? digit[(v >> 6) & 63] : '=',
                     i + 2 < n ? digit[v & 63] : '='};
        rt_text_add(t, q, 4);
    }
}

/* An <image> of palette indices stretched over X, Y, W, H; PIXELATED keeps
 * cells sharp when scaled up (CSS for browsers, optimizeSpeed for others). */
void rtp_image_element(rt_text *t, const unsigned char *index, size_t cols, size_t rows,
                       unsigned char pal[256][3], double x, double y, double w, double h,
                       int pixelated)
{
    rt_text png = {0};
    png_encode(&png, index, cols, rows, pal);
    rt_text_puts(t, "<image");
    put_rect_attrs(t, x, y, w, h);
    rt_text_puts(t, " preserveAspectRatio=\"none\"");
    if (pixelated)
        rt_text_puts(t, " image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\"");
    rt_text_puts(t, " xlink:href=\"data:image/png;base64,");
    put_base64(t, (const unsigned char *)png.data, png.len);
    rt_text_puts(t, "\"/>\n");
    t->failed |= png.failed;
    rt_text_free(&png);
}
