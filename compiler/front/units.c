/* units.c -- the unit table and dimension algebra (see units.h). */
#include "units.h"

#include <stdio.h>
#include <string.h>

const dim_t DIM_FREE = {{0, 0, 0}, 0};
const dim_t DIM_ONE = {{0, 0, 0}, 1};
const dim_t DIM_TIME_1 = {{1, 0, 0}, 1};

/*                 name     scale   T   V   A */
static const unit_def units[] = {
    {"s",      1.0,    {1, 0, 0}, false},
    {"ms",     1e-3,   {1, 0, 0}, false},
    {"us",     1e-6,   {1, 0, 0}, false},
    {"min",    60.0,   {1, 0, 0}, false},
    {"step",   1.0,    {1, 0, 0}, true},
    {"steps",  1.0,    {1, 0, 0}, true},
    {"Hz",     1.0,    {-1, 0, 0}, false},
    {"kHz",    1e3,    {-1, 0, 0}, false},
    {"V",      1.0,    {0, 1, 0}, false},
    {"mV",     1e-3,   {0, 1, 0}, false},
    {"uV",     1e-6,   {0, 1, 0}, false},
    {"A",      1.0,    {0, 0, 1}, false},
    {"mA",     1e-3,   {0, 0, 1}, false},
    {"uA",     1e-6,   {0, 0, 1}, false},
    {"nA",     1e-9,   {0, 0, 1}, false},
    {"pA",     1e-12,  {0, 0, 1}, false},
    {"S",      1.0,    {0, -1, 1}, false},
    {"mS",     1e-3,   {0, -1, 1}, false},
    {"uS",     1e-6,   {0, -1, 1}, false},
    {"nS",     1e-9,   {0, -1, 1}, false},
    {"Ohm",    1.0,    {0, 1, -1}, false},
    {"kOhm",   1e3,    {0, 1, -1}, false},
    {"MOhm",   1e6,    {0, 1, -1}, false},
    {"GOhm",   1e9,    {0, 1, -1}, false},
    {"F",      1.0,    {1, -1, 1}, false},
    {"uF",     1e-6,   {1, -1, 1}, false},
    {"nF",     1e-9,   {1, -1, 1}, false},
    {"pF",     1e-12,  {1, -1, 1}, false},
};
enum { UNIT_COUNT = sizeof units / sizeof units[0] };

const unit_def *unit_find(const char *name)
{
    for (unsigned i = 0; i < UNIT_COUNT; i++)
        if (strcmp(units[i].name, name) == 0)
            return &units[i];
    return NULL;
}

const char *const *unit_names(unsigned *count)
{
    static const char *names[UNIT_COUNT];
    for (unsigned i = 0; i < UNIT_COUNT; i++)
        names[i] = units[i].name;
    *count = UNIT_COUNT;
    return names;
}

dim_t dim_of_unit(const unit_def *u)
{
    dim_t d = DIM_ONE;
    memcpy(d.e, u->e, sizeof d.e);
    return d;
}

static dim_t combine(dim_t a, dim_t b, int sign)
{
    if (!a.known || !b.known)
        return DIM_FREE;
    dim_t d = DIM_ONE;
    for (int i = 0; i < DIM_BASES; i++) {
        int e = a.e[i] + sign * b.e[i];   /* clamped, as in dim_pow: no wrap to dimensionless */
        d.e[i] = (int8_t)(e > 100 ? 100 : e < -100 ? -100 : e);
    }
    return d;
}

dim_t dim_mul(dim_t a, dim_t b) { return combine(a, b, 1); }
dim_t dim_div(dim_t a, dim_t b) { return combine(a, b, -1); }

dim_t dim_pow(dim_t a, int n)
{
    if (!a.known)
        return DIM_FREE;
    dim_t d = DIM_ONE;
    for (int i = 0; i < DIM_BASES; i++) {
        int e = a.e[i] * n;
        d.e[i] = (int8_t)(e > 100 ? 100 : e < -100 ? -100 : e);
    }
    return d;
}

bool dim_root(dim_t a, int n, dim_t *out)
{
    *out = DIM_FREE;
    if (!a.known)
        return true;
    dim_t d = DIM_ONE;
    for (int i = 0; i < DIM_BASES; i++) {
        if (a.e[i] % n != 0)
            return false;
        d.e[i] = (int8_t)(a.e[i] / n);
    }
    *out = d;
    return true;
}

bool dim_compatible(dim_t a, dim_t b)
{
    if (!a.known || !b.known)
        return true;
    return memcmp(a.e, b.e, sizeof a.e) == 0;
}

dim_t dim_join(dim_t a, dim_t b)
{
    return a.known ? a : b;
}

bool dim_is_one(dim_t a)
{
    return a.known && a.e[0] == 0 && a.e[1] == 0 && a.e[2] == 0;
}

/* Named dimensions a neuroscientist recognises, tried before the generic form. */
static const struct { int8_t e[DIM_BASES]; const char *name; } named_dims[] = {
    {{1, 0, 0}, "ms"},   {{-1, 0, 0}, "Hz"},  {{0, 1, 0}, "mV"},
    {{0, 0, 1}, "pA"},   {{0, -1, 1}, "nS"},  {{0, 1, -1}, "MOhm"},
    {{1, -1, 1}, "pF"},  {{-1, 1, 0}, "mV/ms"}, {{-1, 0, 1}, "pA/ms"},
};

const char *dim_describe(dim_t d, char *buf, size_t size)
{
    if (!d.known) {
        snprintf(buf, size, "no unit");
        return buf;
    }
    if (dim_is_one(d)) {
        snprintf(buf, size, "dimensionless");
        return buf;
    }
    for (unsigned i = 0; i < sizeof named_dims / sizeof named_dims[0]; i++)
        if (memcmp(named_dims[i].e, d.e, sizeof d.e) == 0) {
            snprintf(buf, size, "%s", named_dims[i].name);
            return buf;
        }
    return dim_si_name(d, buf, size);
}

const char *dim_si_name(dim_t d, char *buf, size_t size)
{
    static const char *base[DIM_BASES] = {"s", "V", "A"};
    char num[64] = "", den[64] = "";
    for (int i = 0; i < DIM_BASES; i++) {
        int e = d.e[i];
        if (e == 0)
            continue;
        char *side = e > 0 ? num : den;
        int a = e > 0 ? e : -e;
        size_t used = strlen(side);
        if (a == 1)
            snprintf(side + used, 64 - used, "%s%s", used ? "*" : "", base[i]);
        else
            snprintf(side + used, 64 - used, "%s%s^%d", used ? "*" : "", base[i], a);
    }
    if (!den[0])
        snprintf(buf, size, "%s", num);
    else
        snprintf(buf, size, "%s/%s", num[0] ? num : "1", den);
    return buf;
}

const unit_def *unit_for_dim(dim_t d)
{
    if (!d.known || dim_is_one(d))
        return NULL;
    char name[64];
    const unit_def *u = unit_find(dim_describe(d, name, sizeof name));
    return u && !u->per_step ? u : NULL;
}
