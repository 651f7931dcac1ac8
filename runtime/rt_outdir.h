/* rt_outdir.h -- a results folder that appears whole or not at all.
 *
 * A run writes into DIR.partial-XXXXXX beside DIR and renames it to DIR
 * when everything is written; an interrupted or failed run removes the
 * partial folder, so DIR never holds half a result.
 */
#ifndef RNNRT_OUTDIR_H
#define RNNRT_OUTDIR_H

#include <stddef.h>
#include <stdio.h>

/* Every results folder holds this file; only a folder with it (or an empty
 * one) is replaced by a later run, so --out never deletes anything else. */
#define RT_OUTDIR_MARKER ".rnnc-run"

typedef struct rt_outdir {
    char *final_path;
    char *work_path;
    size_t made_parents;            /* the length of the first parent begin created, 0 for none */
} rt_outdir;

/* Whether PATH can be a results folder, before any work: not empty, not
 * the root, not "." or "..", not a symbolic link, not a file, and not a
 * folder with anything rnnc did not write (see the marker). 0, or -1 with
 * the reason in WHY (a sentence naming PATH). */
int rt_outdir_check(const char *path, char *why, size_t why_size);

/* Creates the partial folder (and DIR's parents, removed again by abort);
 * 0 or -1 with errno (EEXIST: DIR exists and is not an earlier results
 * folder; EINVAL: rt_outdir_check refuses PATH's form). */
int rt_outdir_begin(rt_outdir *o, const char *final_path);
/* The path of NAME inside the partial folder (malloc'd). */
char *rt_outdir_file(const rt_outdir *o, const char *name);
/* Writes a whole text file inside the folder; 0 or -1 with errno. */
int rt_outdir_write_text(const rt_outdir *o, const char *name, const char *text);
/* Moves the folder into place, replacing an older DIR, under a lock on
 * DIR's parent folder, so concurrent runs into one DIR end with one whole
 * folder (the last to finish) and nothing left aside; 0 or -1 with errno. */
int rt_outdir_commit(rt_outdir *o);
/* Removes the partial folder and everything in it, and the parents begin created. */
void rt_outdir_abort(rt_outdir *o);

/* Removes a folder tree (used for partial and replaced folders). */
int rt_remove_tree(const char *path);

#endif
