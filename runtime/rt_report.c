/* rt_report.c -- a self-contained HTML page of results (see rt_report.h).
 *
 * The body is built as it is added; the head, the title and the table of
 * contents (which needs every section) are put around it when written.
 */
#include "rt_report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rt_report {
    char *title;
    rt_text body;   /* sections, their blocks */
    rt_text toc;    /* <li> per section */
    int sections, figures;
};

/* A narrow column that reads well; figures shrink with the window
 * (width attribute as a maximum, height from the viewBox's ratio). */
static const char page_style[] =
    "body{margin:0;background:#fff;color:#1d1d1d;"
    "font:15px/1.55 system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif}\n"
    "main{max-width:960px;margin:0 auto;padding:28px 24px 56px}\n"
    "h1{font-size:1.75em;line-height:1.2;margin:0 0 .7em}\n"
    "h2{font-size:1.3em;margin:1.8em 0 .6em;padding-bottom:.25em;border-bottom:1px solid #e2e2e2}\n"
    "nav{display:inline-block;background:#f6f7f8;border:1px solid #e4e6e8;border-radius:6px;"
    "padding:.5em 1.4em .6em 1em;margin-bottom:.6em}\n"
    "nav h2{font-size:1em;margin:0 0 .2em;padding:0;border:0}\n"
    "nav ol{margin:0;padding-left:1.4em}\n"
    "a{color:#0b5fa5;text-decoration:none}a:hover{text-decoration:underline}\n"
    "figure{margin:1.4em 0}\n"
    "figure.plot svg{display:block;max-width:100%;height:auto}\n"
    "figcaption{font-size:.9em;color:#555;margin:.4em 0}\n"
    "pre{margin:0;background:#f6f8fa;border:1px solid #e4e6e8;border-radius:4px;padding:.8em 1em;"
    "overflow-x:auto;font:13px/1.45 ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace}\n"
    "table{border-collapse:collapse;margin:1em 0;font-size:.93em}\n"
    "caption{text-align:left;font-size:.96em;color:#555;padding-bottom:.3em}\n"
    "th,td{text-align:left;vertical-align:top;padding:.28em 1.1em .28em 0;"
    "border-bottom:1px solid #e8e8e8}\n"
    "th{font-weight:600;white-space:nowrap}\n"
    "td{font-variant-numeric:tabular-nums}\n"
    "footer{margin-top:3em;font-size:.8em;color:#888}\n"
    "@media print{main{max-width:none}nav{display:none}figure,pre,table{break-inside:avoid}}\n";

rt_report *rt_report_new(const char *title)
{
    rt_report *r = calloc(1, sizeof *r);
    if (r)
        r->title = strdup(title ? title : "rnnc report");
    if (!r || !r->title) {
        free(r);
        errno = ENOMEM;
        return NULL;
    }
    return r;
}

void rt_report_free(rt_report *r)
{
    if (!r)
        return;
    free(r->title);
    rt_text_free(&r->body);
    rt_text_free(&r->toc);
    free(r);
}

void rt_report_heading(rt_report *r, const char *text)
{
    int n = ++r->sections;
    if (n > 1)
        rt_text_puts(&r->body, "</section>\n");
    rt_text_printf(&r->body, "<section id=\"sec-%d\">\n<h2>", n);
    rt_text_escaped(&r->body, text);
    rt_text_puts(&r->body, "</h2>\n");
    rt_text_printf(&r->toc, "<li><a href=\"#sec-%d\">", n);
    rt_text_escaped(&r->toc, text);
    rt_text_puts(&r->toc, "</a></li>\n");
}

void rt_report_paragraph(rt_report *r, const char *text)
{
    rt_text_puts(&r->body, "<p>");
    for (const char *s = text ? text : ""; *s;) {
        const char *gap = strstr(s, "\n\n");
        size_t n = gap ? (size_t)(gap - s) : strlen(s);
        char *part = strndup(s, n);
        if (!part) {
            r->body.failed = 1;
            return;
        }
        rt_text_escaped(&r->body, part);
        free(part);
        s += n;
        if (gap) {
            s += strspn(s, "\n");
            rt_text_puts(&r->body, "</p>\n<p>");
        }
    }
    rt_text_puts(&r->body, "</p>\n");
}

static void put_caption(rt_text *t, const char *tag, const char *caption)
{
    if (!caption)
        return;
    rt_text_printf(t, "<%s>", tag);
    rt_text_escaped(t, caption);
    rt_text_printf(t, "</%s>\n", tag);
}

void rt_report_code(rt_report *r, const char *caption, const char *text)
{
    rt_text_puts(&r->body, "<figure class=\"code\">\n");
    put_caption(&r->body, "figcaption", caption);
    rt_text_puts(&r->body, "<pre>");
    rt_text_escaped(&r->body, text);
    rt_text_puts(&r->body, "</pre>\n</figure>\n");
}

void rt_report_table(rt_report *r, const char *caption, size_t n_rows, const char *const *keys,
                     const char *const *values)
{
    rt_text_puts(&r->body, "<table>\n");
    put_caption(&r->body, "caption", caption);
    rt_text_puts(&r->body, "<tbody>\n");
    for (size_t i = 0; i < n_rows; i++) {
        rt_text_puts(&r->body, "<tr><th scope=\"row\">");
        rt_text_escaped(&r->body, keys ? keys[i] : NULL);
        rt_text_puts(&r->body, "</th><td>");
        rt_text_escaped(&r->body, values ? values[i] : NULL);
        rt_text_puts(&r->body, "</td></tr>\n");
    }
    rt_text_puts(&r->body, "</tbody>\n</table>\n");
}

static int starts(const char *s, const char *end, const char *with)
{
    size_t n = strlen(with);
    return (size_t)(end - s) >= n && memcmp(s, with, n) == 0;
}

/* The length of an id reference or definition starting at S, to be
 * followed by the figure's prefix: url(#, and inside a tag id=" and
 * href="# (also xlink:href). 0 if none starts here. */
static size_t id_mark(const char *s, const char *end, int in_tag, char before)
{
    if (starts(s, end, "url(#"))
        return 5;
    if (!in_tag)
        return 0;
    if ((before == ' ' || before == '\n' || before == '\t') &&
        (starts(s, end, "id=\"") || starts(s, end, "id='")))
        return 4;
    if (starts(s, end, "href=\"#") || starts(s, end, "href='#"))
        return 7;
    return 0;
}

/* Copies the <svg>...</svg> element of SVG (N bytes) to T with every id
 * prefixed by PREFIX. -1 if there is no <svg element. */
static int put_svg(rt_text *t, const char *svg, size_t n, const char *prefix)
{
    const char *end = svg + n, *s = svg;
    while (s < end && !starts(s, end, "<svg"))
        s++;
    if (s == end)
        return -1;
    for (const char *close = end - 6; close >= s; close--) {   /* drop what follows </svg> */
        if (starts(close, end, "</svg>")) {
            end = close + 6;
            break;
        }
    }
    const char *run = s;
    int in_tag = 0;
    for (; s < end; s++) {
        if (*s == '<')
            in_tag = 1;
        else if (*s == '>')
            in_tag = 0;
        size_t mark = id_mark(s, end, in_tag, s > svg ? s[-1] : ' ');
        if (mark) {
            rt_text_add(t, run, (size_t)(s - run) + mark);
            rt_text_puts(t, prefix);
            s += mark - 1;
            run = s + 1;
        }
    }
    rt_text_add(t, run, (size_t)(end - run));
    rt_text_puts(t, "\n");
    return 0;
}

static int add_figure(rt_report *r, const char *svg, size_t n, const char *caption)
{
    int k = r->figures + 1;
    char prefix[32];
    snprintf(prefix, sizeof prefix, "f%d-", k);
    size_t mark = r->body.len;
    rt_text_printf(&r->body, "<figure class=\"plot\" id=\"fig-%d\">\n", k);
    if (put_svg(&r->body, svg, n, prefix) != 0) {
        r->body.len = mark;   /* nothing of it stays */
        if (r->body.data)
            r->body.data[mark] = '\0';
        errno = EINVAL;
        return -1;
    }
    rt_text_printf(&r->body, "<figcaption><b>Figure %d.</b> ", k);
    rt_text_escaped(&r->body, caption);
    rt_text_puts(&r->body, "</figcaption>\n</figure>\n");
    r->figures = k;
    return 0;
}

static int read_file(const char *path, rt_text *out)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
        rt_text_add(out, buf, got);
    int bad = ferror(fp);
    fclose(fp);
    if (bad || out->failed) {
        errno = bad ? EIO : ENOMEM;
        return -1;
    }
    return 0;
}

int rt_report_svg_file(rt_report *r, const char *svg_path, const char *caption)
{
    rt_text svg = {0};
    int rc = read_file(svg_path, &svg) == 0 ? add_figure(r, svg.data ? svg.data : "", svg.len, caption) : -1;
    int saved = errno;
    rt_text_free(&svg);
    errno = saved;
    return rc;
}

int rt_report_figure(rt_report *r, const rt_fig *f, const char *caption)
{
    size_t n;
    char *svg = rt_fig_svg(f, &n);
    if (!svg)
        return -1;
    int rc = add_figure(r, svg, n, caption);
    free(svg);
    return rc;
}

int rt_report_write(const rt_report *r, const char *path)
{
    if (r->body.failed || r->toc.failed) {
        errno = ENOMEM;
        return -1;
    }
    rt_text page = {0};
    rt_text_puts(&page, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                        "<meta name=\"generator\" content=\"rnnc\">\n<title>");
    rt_text_escaped(&page, r->title);
    rt_text_printf(&page, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>", page_style);
    rt_text_escaped(&page, r->title);
    rt_text_puts(&page, "</h1>\n");
    if (r->sections >= 2) {
        rt_text_puts(&page, "<nav>\n<h2>Contents</h2>\n<ol>\n");
        rt_text_add(&page, r->toc.data, r->toc.len);
        rt_text_puts(&page, "</ol>\n</nav>\n");
    }
    rt_text_add(&page, r->body.data ? r->body.data : "", r->body.len);
    if (r->sections)
        rt_text_puts(&page, "</section>\n");
    rt_text_puts(&page, "<footer>Written by rnnc.</footer>\n</main>\n</body>\n</html>\n");
    int rc = rt_text_save(&page, path);
    int saved = errno;
    rt_text_free(&page);
    errno = saved;
    return rc;
}
