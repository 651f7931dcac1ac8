/* rt_npy.h -- arrays in numpy's .npy format (version 1.0), little-endian.
 *
 * Written files load with numpy.load(); read files may be float32 or float64
 * (as numpy writes them by default), int64, uint32, uint8 or bool, and come back as
 * doubles.
 */
#ifndef RNNRT_NPY_H
#define RNNRT_NPY_H

#include <stddef.h>

typedef enum rt_dtype { RT_F32, RT_F64, RT_I64, RT_U8, RT_U32 } rt_dtype;

enum { RT_NPY_MAX_DIMS = 8 };

/* Writes DATA (C order) to PATH; 0 on success, -1 with errno set on failure
 * (a full disk is reported, never ignored). */
int rt_npy_write(const char *path, const void *data, rt_dtype dtype, const size_t *shape,
                 int ndim);

typedef struct rt_array {
    double *data;               /* malloc'd; free with rt_array_free */
    size_t shape[RT_NPY_MAX_DIMS];
    int ndim;
    size_t count;
} rt_array;

/* Reads PATH, a regular file of at most RT_FILE_MAX_NPY bytes (rt_file.h);
 * 0 on success, else -1 with a message in ERR (size ERR_SIZE). */
int rt_npy_read(const char *path, rt_array *out, char *err, size_t err_size);
/* Reads only PATH's header: OUT's shape, ndim and count, with no data (so
 * nothing to free); 0, or -1 with a message in ERR as rt_npy_read. */
int rt_npy_shape(const char *path, rt_array *out, char *err, size_t err_size);
void rt_array_free(rt_array *a);

/* SHAPE (NDIM sizes) as numpy prints it in messages, "[1000, 2]", in BUF. */
const char *rt_shape_text(const size_t *shape, int ndim, char *buf, size_t size);

#endif
