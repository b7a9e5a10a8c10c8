/* dist.c — clgan/dist.h over MPI (Open MPI, MPICH: any MPI-3 library), or
 * over nothing in a build without MPI: joining the job, the ranks and the
 * host-local ranks (which pick the devices), the timed reductions behind the
 * nets' reducer (train/dist.h), and abort. */
#include "train/dist.h"

#include "core/clock.h"
#include "core/error.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef CLGAN_HAVE_MPI
#include <mpi.h>
#endif

static struct {
    int joined; /* MPI_Init called here */
    int rank, size, local_rank, local_size;
    clgan_dist_stats stats;
    char describe[256];
} job = {0, 0, 1, 0, 1, {0, 0, 0, 0}, ""};

int clgan_dist_available(void)
{
#ifdef CLGAN_HAVE_MPI
    return 1;
#else
    return 0;
#endif
}

/* The rank count an MPI launcher announces in the environment (Open MPI,
 * MPICH/Hydra, PMIx); 0 when the process was not started by one. */
static int launcher_size(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) return atoi(v) > 0 ? atoi(v) : 1;
    }
    return getenv("PMIX_RANK") || getenv("PMI_RANK") ? 1 : 0;
}

int clgan_dist_rank(void) { return job.rank; }
int clgan_dist_size(void) { return job.size; }
int clgan_dist_local_rank(void) { return job.local_rank; }
int clgan_dist_local_size(void) { return job.local_size; }
const char *clgan_dist_describe(void) { return job.describe[0] ? job.describe : "1 rank (no MPI job)"; }
void clgan_dist_get_stats(clgan_dist_stats *stats)
{
    if (stats) *stats = job.stats;
}

#ifdef CLGAN_HAVE_MPI
/* An MPI error as text: "MPI_Allreduce: <the library's message>". */
static clgan_status mpi_fail(int rc, const char *call)
{
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(rc, text, &len);
    return clgan_fail(CLGAN_ERR_IO, "%s failed on rank %d of %d: %s", call, job.rank, job.size, text);
}

clgan_status clgan_dist_init(int *argc, char ***argv)
{
    if (job.joined || launcher_size() == 0) return CLGAN_OK;
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) {
        int rc = MPI_Init(argc, argv);
        if (rc != MPI_SUCCESS) return clgan_fail(CLGAN_ERR_IO, "MPI_Init failed (error %d)", rc);
    }
    job.joined = 1;
    /* Failures come back as codes; a rank that cannot go on aborts the job itself. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &job.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &job.size);
    MPI_Comm local;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, job.rank, MPI_INFO_NULL, &local) == MPI_SUCCESS) {
        MPI_Comm_rank(local, &job.local_rank);
        MPI_Comm_size(local, &job.local_size);
        MPI_Comm_free(&local);
    }
    /* Hosts: local rank 0 of each counts one. */
    int first = job.local_rank == 0, hosts = 1;
    MPI_Allreduce(&first, &hosts, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    char name[MPI_MAX_PROCESSOR_NAME] = "";
    int len = 0;
    MPI_Get_processor_name(name, &len);
    snprintf(job.describe, sizeof job.describe, "%d rank%s on %d host%s (rank 0 on %s)", job.size,
             job.size == 1 ? "" : "s", hosts, hosts == 1 ? "" : "s", name);
    return CLGAN_OK;
}

void clgan_dist_finalize(void)
{
    if (!job.joined) return;
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
    job.joined = 0;
}

void clgan_dist_abort(int code)
{
    fflush(stdout);
    fflush(stderr);
    if (job.joined && job.size > 1) MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}

/* One collective over n elements of `type`, in pieces of at most INT_MAX,
 * timed into job.stats. */
typedef enum { OP_SUM, OP_MAX, OP_BCAST } coll_op;
#define LARGE_BYTES 65536
static clgan_status collective(void *buf, size_t n, MPI_Datatype type, size_t elem, coll_op op)
{
    if (job.size <= 1) return CLGAN_OK;
    double t0 = clgan_now_seconds();
    if (op == OP_SUM && n * elem >= LARGE_BYTES) { /* the wait for the slowest rank, apart from the transfer */
        int rc = MPI_Barrier(MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return mpi_fail(rc, "MPI_Barrier");
        job.stats.wait_seconds += clgan_now_seconds() - t0;
    }
    for (size_t at = 0; at < n;) {
        int count = n - at > (size_t)INT_MAX ? INT_MAX : (int)(n - at);
        char *p = (char *)buf + at * elem;
        int rc = op == OP_BCAST ? MPI_Bcast(p, count, type, 0, MPI_COMM_WORLD)
                                : MPI_Allreduce(MPI_IN_PLACE, p, count, type, op == OP_SUM ? MPI_SUM : MPI_MAX,
                                                MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return mpi_fail(rc, op == OP_BCAST ? "MPI_Bcast" : "MPI_Allreduce");
        at += (size_t)count;
    }
    job.stats.calls++;
    job.stats.bytes += (double)(n * elem);
    job.stats.seconds += clgan_now_seconds() - t0;
    return CLGAN_OK;
}

clgan_status clgan_dist_max_int(int *v) { return collective(v, 1, MPI_INT, sizeof *v, OP_MAX); }
clgan_status clgan_dist_bcast_floats(float *buf, size_t n) { return collective(buf, n, MPI_FLOAT, sizeof *buf, OP_BCAST); }
clgan_status clgan_dist_bcast_doubles(double *buf, size_t n)
{
    return collective(buf, n, MPI_DOUBLE, sizeof *buf, OP_BCAST);
}
static clgan_status sum_floats(void *self, float *buf, size_t n)
{
    (void)self;
    return collective(buf, n, MPI_FLOAT, sizeof *buf, OP_SUM);
}
static clgan_status sum_doubles(void *self, double *buf, size_t n)
{
    (void)self;
    return collective(buf, n, MPI_DOUBLE, sizeof *buf, OP_SUM);
}

const clgan_reducer *clgan_dist_reducer(void)
{
    static clgan_reducer r;
    if (job.size <= 1) return NULL;
    r.ranks = job.size;
    r.rank = job.rank;
    r.sum_floats = sum_floats;
    r.sum_doubles = sum_doubles;
    r.self = NULL;
    return &r;
}

#else /* without MPI: alone, and a clear refusal under a launcher */

clgan_status clgan_dist_init(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    int n = launcher_size();
    if (n > 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "this clgan was built without MPI, but it was started as one of %d ranks (mpirun): each "
                          "rank would train alone. Install an MPI library (Debian: libopenmpi-dev openmpi-bin) and "
                          "build again, or run without mpirun",
                          n);
    return CLGAN_OK;
}
void clgan_dist_finalize(void) {}
void clgan_dist_abort(int code)
{
    fflush(stdout);
    fflush(stderr);
    exit(code);
}
clgan_status clgan_dist_max_int(int *v)
{
    (void)v;
    return CLGAN_OK;
}
clgan_status clgan_dist_bcast_floats(float *buf, size_t n)
{
    (void)buf, (void)n;
    return CLGAN_OK;
}
clgan_status clgan_dist_bcast_doubles(double *buf, size_t n)
{
    (void)buf, (void)n;
    return CLGAN_OK;
}
const clgan_reducer *clgan_dist_reducer(void) { return NULL; }
#endif
