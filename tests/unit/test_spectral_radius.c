/* test_spectral_radius.c -- rt_spectral_radius (runtime/rt_init.h) on
 * matrices whose spectral radius is known by hand, and on nilpotent ones,
 * which must give 0 (so spectral_radius(r) refuses them instead of
 * multiplying rounding noise by 1e16). */
#include "check.h"
#include "rt_init.h"

int main(void)
{
    char err[256] = "";
    /* [[0, -2], [2, 0]]: eigenvalues +-2i, so the radius is 2 although no
     * eigenvalue is real (a power iteration would not converge on it). */
    const double rotation[4] = {0, -2, 2, 0};
    CHECK_NEAR(rt_spectral_radius(rotation, 2, err, sizeof err), 2, 1e-14);
    /* Upper triangular: the eigenvalues are the diagonal, 3, -5 and 0.5;
     * the largest modulus is 5, of a negative eigenvalue. */
    const double triangular[9] = {3, 7, -1, 0, -5, 2, 0, 0, 0.5};
    CHECK_NEAR(rt_spectral_radius(triangular, 3, err, sizeof err), 5, 1e-13);
    /* [[1, 1], [1, 1]]: eigenvalues 2 and 0 (rank one), radius 2. */
    const double ones[4] = {1, 1, 1, 1};
    CHECK_NEAR(rt_spectral_radius(ones, 2, err, sizeof err), 2, 1e-14);
    /* Strictly lower triangular (a feedforward network's weights, every
     * eigenvalue 0): dgeev finds the zeros to rounding, and 0 comes back.
     * (A dense nilpotent matrix, P J P^-1, gets eigenvalues of about
     * 1e-16^(1/n) from any eigenvalue routine, which no threshold can tell
     * from a real radius; the plan finds masks without cycles exactly.) */
    const double chain[9] = {0, 0, 0, 0.7, 0, 0, -1.3, 2.1, 0};
    CHECK(rt_spectral_radius(chain, 3, err, sizeof err) == 0);
    const double zeros[4] = {0, 0, 0, 0};
    CHECK(rt_spectral_radius(zeros, 2, err, sizeof err) == 0);
    /* A non-finite entry is refused with a message, not given a radius. */
    const double bad[1] = {NAN};
    CHECK(rt_spectral_radius(bad, 1, err, sizeof err) == -1 && err[0] != 0);
    return check_report();
}
