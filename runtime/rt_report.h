/* rt_report.h -- one self-contained HTML page of results.
 *
 * The page needs nothing else: CSS is inline, figures are inline SVG (not
 * links), there is no script and no font or network access, so it can be
 * mailed, archived, or opened years later with JavaScript off. It has a
 * title, a table of contents of the sections (when there are two or more),
 * and the blocks in the order they were added. All text is escaped.
 *
 * The builder remembers a failed allocation and rt_report_write reports
 * it (-1, ENOMEM), so the adders that cannot otherwise fail return nothing.
 *
 *     rt_report *r = rt_report_new("flipflop3: training run");
 *     rt_report_heading(r, "Training");
 *     rt_report_svg_file(r, "out/loss.svg", "Loss over updates; mean and range over 5 seeds.");
 *     rt_report_heading(r, "Model");
 *     rt_report_code(r, "models/flipflop3.rnn", source_text);
 *     if (rt_report_write(r, "out/report.html") != 0)
 *         perror("report.html");
 *     rt_report_free(r);
 */
#ifndef RNNRT_REPORT_H
#define RNNRT_REPORT_H

#include <stddef.h>

#include "rt_plot.h"
#include "rt_text.h"

typedef struct rt_report rt_report;

/* A report titled TITLE (the page's <title> and its heading); NULL if out
 * of memory. */
rt_report *rt_report_new(const char *title);

/* Starts a section: a heading, listed in the table of contents. */
void rt_report_heading(rt_report *r, const char *text);
/* A paragraph of plain text (a blank line in TEXT starts a new one). */
void rt_report_paragraph(rt_report *r, const char *text);
/* Preformatted text in a monospace box, e.g. the model source or the
 * settings; CAPTION (NULL: none) above it. */
void rt_report_code(rt_report *r, const char *caption, const char *text);
/* A two-column table of N_ROWS KEYS[i] -> VALUES[i] (NULL shows as empty);
 * CAPTION (NULL: none) above it. */
void rt_report_table(rt_report *r, const char *caption, size_t n_rows, const char *const *keys,
                     const char *const *values);

/* Inlines the SVG file at SVG_PATH as a numbered figure with CAPTION (NULL:
 * none). Anything before <svg (an <?xml?> prolog, a DOCTYPE, comments) is
 * dropped, and every id in it -- with its url(#...) and href="#..."
 * references -- gets a per-figure prefix, so ids stay unique on the page
 * even for SVGs written by other tools. 0, or -1 with errno (EINVAL: no
 * <svg> element in the file). */
int rt_report_svg_file(rt_report *r, const char *svg_path, const char *caption);
/* The same for a figure in memory, without writing a file first. */
int rt_report_figure(rt_report *r, const rt_fig *f, const char *caption);

/* Writes the page; 0, or -1 with errno (a full disk is reported). */
int rt_report_write(const rt_report *r, const char *path);
void rt_report_free(rt_report *r);

#endif
