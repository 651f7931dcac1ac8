/* test_units.c -- the dimension algebra and unit table.
 *
 * Expected values follow from SI: 1 mV/ms = 1 V/s; a conductance times a
 * voltage is a current; Hz is 1/s; capacitance*voltage/time is a current.
 */
#include "check.h"
#include "diag.h"
#include "units.h"

static dim_t unit(const char *name)
{
    return dim_of_unit(unit_find(name));
}

int main(void)
{
    char buf[64];
    CHECK_NEAR(unit_find("ms")->scale, 1e-3, 0);
    CHECK_NEAR(unit_find("pA")->scale, 1e-12, 0);
    CHECK(unit_find("steps")->per_step);
    CHECK(unit_find("furlong") == NULL);

    /* nS * mV = pA (current) */
    CHECK(dim_compatible(dim_mul(unit("nS"), unit("mV")), unit("pA")));
    /* pF * mV / ms = pA */
    CHECK(dim_compatible(dim_div(dim_mul(unit("pF"), unit("mV")), unit("ms")), unit("pA")));
    /* MOhm * pA = mV */
    CHECK(dim_compatible(dim_mul(unit("MOhm"), unit("pA")), unit("mV")));
    /* Hz * ms is dimensionless */
    CHECK(dim_is_one(dim_mul(unit("Hz"), unit("ms"))));
    /* mV and ms are not the same dimension */
    CHECK(!dim_compatible(unit("mV"), unit("ms")));
    /* A free (unit-less) value agrees with anything, and a product with it is free. */
    CHECK(dim_compatible(DIM_FREE, unit("mV")));
    CHECK(!dim_mul(DIM_FREE, unit("mV")).known);
    CHECK(dim_join(DIM_FREE, unit("mV")).known);

    /* Powers and roots */
    dim_t v2 = dim_pow(unit("mV"), 2), root;
    CHECK(dim_root(v2, 2, &root) && dim_compatible(root, unit("mV")));
    CHECK(!dim_root(unit("mV"), 2, &root));

    /* Readable names */
    CHECK_STR(dim_describe(unit("ms"), buf, sizeof buf), "ms");
    CHECK_STR(dim_describe(dim_div(unit("mV"), unit("ms")), buf, sizeof buf), "mV/ms");
    CHECK_STR(dim_describe(DIM_ONE, buf, sizeof buf), "dimensionless");
    CHECK_STR(dim_describe(DIM_FREE, buf, sizeof buf), "no unit");
    CHECK_STR(dim_describe(dim_pow(unit("ms"), -2), buf, sizeof buf), "1/s^2");

    /* Suggestions: close names only */
    const char *names[] = {"tau_m", "tau_a", "v_th", "gamma"};
    CHECK(closest_name("tua_m", names, 4) && strcmp(closest_name("tua_m", names, 4), "tau_m") == 0);
    CHECK(closest_name("v_ht", names, 4) && strcmp(closest_name("v_ht", names, 4), "v_th") == 0);
    CHECK(closest_name("zzzzzz", names, 4) == NULL);
    return check_report();
}
