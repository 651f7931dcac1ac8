/* units.h -- physical dimensions and the unit names of literals.
 *
 * A dimension is a vector of integer exponents over three base quantities,
 * time, voltage and current, enough for membrane equations (conductance is
 * current/voltage, capacitance current*time/voltage). A value with no unit
 * anywhere in its making has an unknown ("free") dimension and agrees with any
 * other: the check bites where units are written, and is silent where they
 * are not, as in most rate models.
 */
#ifndef RNNC_UNITS_H
#define RNNC_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { DIM_TIME, DIM_VOLTAGE, DIM_CURRENT, DIM_BASES };

typedef struct dim_t {
    int8_t e[DIM_BASES];
    uint8_t known;
} dim_t;

typedef struct unit_def {
    const char *name;
    double scale;         /* to SI; for "step" the scale is one dt, applied later */
    int8_t e[DIM_BASES];
    bool per_step;        /* the value counts simulation steps */
} unit_def;

extern const dim_t DIM_FREE;   /* unknown: agrees with anything */
extern const dim_t DIM_ONE;    /* known to be dimensionless */
extern const dim_t DIM_TIME_1; /* a time */

const unit_def *unit_find(const char *name);
const char *const *unit_names(unsigned *count);

dim_t dim_mul(dim_t a, dim_t b);
dim_t dim_div(dim_t a, dim_t b);
dim_t dim_pow(dim_t a, int n);
bool dim_root(dim_t a, int n, dim_t *out);    /* false if exponents do not divide */
bool dim_compatible(dim_t a, dim_t b);         /* equal, or either unknown */
dim_t dim_join(dim_t a, dim_t b);              /* the known one of two compatible */
bool dim_is_one(dim_t a);                      /* known and dimensionless */
dim_t dim_of_unit(const unit_def *u);

/* Writes a readable name ("ms", "mV/ms", "1/ms", "dimensionless"). */
const char *dim_describe(dim_t d, char *buf, size_t size);
/* The same in SI base units only ("V/s", "s"), for a known, not dimensionless D. */
const char *dim_si_name(dim_t d, char *buf, size_t size);
/* The unit a value of dimension D is shown in when no unit is written for
 * it: the one dim_describe names when the table has it ("mV"), else NULL. */
const unit_def *unit_for_dim(dim_t d);

#endif
