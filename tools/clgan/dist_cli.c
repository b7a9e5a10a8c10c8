/* dist_cli.c — the command line's side of data-parallel training
 * (clgan/dist.h): the training commands join the MPI job they were started
 * in, ranks other than 0 stay quiet, a failing rank names itself and ends
 * the job, and each rank of a host takes a device of its own. */
#include "cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The commands that train data-parallel; train-dfeatures fits its head on one rank. */
static const char *const parallel_commands[] = {"train-gan", "train-classifier", "train-ssl"};

static int asks_help(int argc, char **argv)
{
    for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
    return 0;
}

static int real_stderr = -1; /* a quiet rank's stderr, for its failure */

int cli_dist_begin(int argc, char **argv)
{
    int trains = !strcmp(argv[1], "train-dfeatures");
    for (size_t i = 0; i < sizeof parallel_commands / sizeof parallel_commands[0]; i++)
        trains = trains || !strcmp(argv[1], parallel_commands[i]);
    if (!trains || asks_help(argc, argv)) return 0;
    if (clgan_dist_init(NULL, NULL) != CLGAN_OK) return cli_fail(argv[1]);
    if (clgan_dist_size() <= 1) return 0;
    if (!strcmp(argv[1], "train-dfeatures")) {
        if (clgan_dist_rank() == 0)
            fprintf(stderr, "clgan: train-dfeatures fits its head on one rank; run it without mpirun (or -np 1)\n");
        return 2;
    }
    if (clgan_dist_rank() != 0) {
        real_stderr = dup(STDERR_FILENO);
        cli_quiet();
    } else
        fprintf(stderr, "clgan: data-parallel training: %s\n", clgan_dist_describe());
    return 0;
}

int cli_dist_end(int rc)
{
    if (clgan_dist_size() <= 1) {
        clgan_dist_finalize();
        return rc;
    }
    /* Every rank ends the same way after a stop (at the same step) or a usage error (the same argv): */
    if (rc != 0 && rc != 2 && rc != 128 + SIGINT && rc != 128 + SIGTERM) {
        /* The others may wait for this rank in a reduction: end them all, saying who failed. */
        char line[1400];
        int n = snprintf(line, sizeof line, "clgan: rank %d of %d failed (exit %d): %s\n", clgan_dist_rank(),
                         clgan_dist_size(), rc, cli_last_message());
        if (real_stderr >= 0 && n > 0) {
            ssize_t w = write(real_stderr, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
            (void)w;
        } else if (clgan_dist_rank() == 0 && n > 0)
            fprintf(stderr, "clgan: ending all %d ranks\n", clgan_dist_size());
        clgan_dist_abort(rc);
    }
    clgan_dist_finalize();
    return rc;
}

int cli_rank_device(const char *spec, char *out, size_t cap)
{
    int idx[64], count = 0, local = clgan_dist_local_rank(), ranks = clgan_dist_local_size();
    if (clgan_device_matches(spec, idx, 64, &count) != CLGAN_OK) return cli_fail(NULL);
    count = count < 64 ? count : 64;
    int pick = idx[local % count];
    clgan_device_info info;
    if (clgan_device_get_info(pick, &info) != CLGAN_OK) return cli_fail(NULL);
    if (local >= count && info.type != CLGAN_DEVICE_CPU) {
        fprintf(stderr,
                "clgan: %d ranks run on this host, but --device %s matches %d device%s here (the first: %s); ranks "
                "share a device only when it is a CPU driver: start at most %d rank%s per host\n",
                ranks, spec && *spec ? spec : "(default: every GPU)", count, count == 1 ? "" : "s", info.device_name,
                count, count == 1 ? "" : "s");
        return 1;
    }
    if (ranks > count && local == 0)
        fprintf(stderr, "clgan: note: %d ranks on this host share the CPU device '%s' (%d matched): give each "
                        "its share of the cores (PoCL: POCL_MAX_PTHREAD_COUNT)\n",
                ranks, info.device_name, count);
    snprintf(out, cap, "%d", pick);
    return 0;
}
