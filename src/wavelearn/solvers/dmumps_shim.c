/* A thin C interface to MUMPS's real double-precision solver (DMUMPS), sequential build.
 *
 * wavelearn calls it through ctypes (wavelearn.solvers.real_mumps); this file only hides the
 * DMUMPS_STRUC_C layout, whose fields differ between MUMPS versions, behind a handful of functions.
 * Built by envs/native/build-dmumps.sh against Debian's libdmumps_seq (package libmumps-seq-dev):
 *
 *   cc -O2 -shared -fPIC -I/usr/include/mumps_seq dmumps_shim.c -ldmumps_seq -lmumps_common_seq \
 *      -lmpiseq_seq -o libwavelearn_dmumps.so
 *
 * Conventions: indices are 1-based (Fortran), the matrix is given once as coordinates and
 * values that must stay alive (and unchanged) until wl_dmumps_free; every MUMPS call returns
 * INFOG(1) (0: success, < 0: error, see the MUMPS manual). Right-hand sides are dense,
 * column-major, overwritten by the solution.
 */
#include <stdlib.h>
#include <dmumps_c.h>

/* SCOTCH (the library Debian's sequential MUMPS orders with) draws random numbers and uses
 * threads while ordering: two analyses of the same matrix then give different orderings, and
 * factors that differ by rounding. One SCOTCH thread and a reset random generator before each
 * analysis make the ordering, and so every result, reproducible. Weak: resolved from MUMPS's
 * own dependencies when present, no link-time dependency on SCOTCH. */
extern void SCOTCH_randomReset(void) __attribute__((weak));

#define USE_COMM_WORLD -987654 /* the sequential library's only communicator */
#define ICNTL(i) icntl[(i) - 1]

typedef struct {
    DMUMPS_STRUC_C id;
} wl_dmumps;

static int call(wl_dmumps *h, int job)
{
    h->id.job = job;
    dmumps_c(&h->id);
    return h->id.infog[0];
}

/* A new instance. sym: 0 unsymmetric (LU), 1 symmetric positive definite, 2 symmetric (LDL^T). */
wl_dmumps *wl_dmumps_new(int sym)
{
    setenv("SCOTCH_PTHREAD_NUMBER", "1", 1); /* read when SCOTCH first runs */
    wl_dmumps *h = calloc(1, sizeof(wl_dmumps));
    if (h == NULL) return NULL;
    h->id.comm_fortran = USE_COMM_WORLD;
    h->id.par = 1; /* the host works too: one process */
    h->id.sym = sym;
    if (call(h, -1) < 0) {
        free(h);
        return NULL;
    }
    h->id.ICNTL(1) = -1; /* no error, diagnostic, global or statistics output */
    h->id.ICNTL(2) = -1;
    h->id.ICNTL(3) = -1;
    h->id.ICNTL(4) = 0;
    return h;
}

void wl_dmumps_set_icntl(wl_dmumps *h, int i, int value) { h->id.ICNTL(i) = value; }

/* Analysis (ordering, symbolic factorisation) of the n x n matrix a(k) at (irn(k), jcn(k)),
 * k = 1..nnz; RINFOG(1) is then the estimated number of flops of the factorisation. */
int wl_dmumps_analyse(wl_dmumps *h, int n, long long nnz, int *irn, int *jcn, double *a)
{
    h->id.n = n;
    h->id.nnz = nnz;
    h->id.irn = irn;
    h->id.jcn = jcn;
    h->id.a = a;
    if (SCOTCH_randomReset) SCOTCH_randomReset();
    return call(h, 1);
}

/* Numerical factorisation of the analysed matrix (may be repeated, e.g. with a larger ICNTL(14)). */
int wl_dmumps_factorize(wl_dmumps *h) { return call(h, 2); }

/* Solve A X = B for nrhs dense right-hand sides stored column-major with leading dimension lrhs. */
int wl_dmumps_solve(wl_dmumps *h, double *rhs, int nrhs, int lrhs)
{
    h->id.rhs = rhs;
    h->id.nrhs = nrhs;
    h->id.lrhs = lrhs;
    h->id.ICNTL(20) = 0; /* dense right-hand sides */
    h->id.ICNTL(21) = 0; /* solution returned in rhs */
    return call(h, 3);
}

int wl_dmumps_infog(wl_dmumps *h, int i) { return h->id.infog[i - 1]; }

double wl_dmumps_rinfog(wl_dmumps *h, int i) { return h->id.rinfog[i - 1]; }

void wl_dmumps_free(wl_dmumps *h)
{
    if (h == NULL) return;
    call(h, -2);
    free(h);
}
