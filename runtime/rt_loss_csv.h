/* rt_loss_csv.h -- loss.csv read back: the one reader of the file
 * rt_train.c writes (a header of column names, then a row of numbers per
 * update), for the pictures, --seeds' combined loss and librnnc.
 */
#ifndef RNNRT_LOSS_CSV_H
#define RNNRT_LOSS_CSV_H

#include <stddef.h>

typedef struct rt_loss_csv {
    size_t n_columns, rows;
    char **names;               /* the header's, in order */
    double *values;             /* [row][column] */
} rt_loss_csv;

/* PATH into T: 0; 1 when there is no such file (T then empty); -1 with a
 * message in ERR when it cannot be read, a value is not a number, or
 * memory runs out. */
int rt_loss_csv_read(const char *path, rt_loss_csv *t, char *err, size_t err_size);
/* The column named NAME, or -1. */
int rt_loss_csv_column(const rt_loss_csv *t, const char *name);
/* Column K's ROWS values, malloc'd (at least one double); NULL when out of memory. */
double *rt_loss_csv_values(const rt_loss_csv *t, int k);
void rt_loss_csv_free(rt_loss_csv *t);

#endif
