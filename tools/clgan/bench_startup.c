/* bench_startup.c — `clgan bench startup`: how long a new clgan process
 * takes to be ready on the device.
 *
 * The parent runs this same binary (/proc/self/exe) as
 * `clgan bench startup --child`, which creates a context, builds every
 * kernel program (clgan_ctx_build_all), runs one 64x64x64 GEMM and one
 * dcgan28 training step (batch 64), then prints its phase times as one JSON
 * line. The parent times the child's whole life (spawn to exit):
 *
 *   startup/cold   fresh, empty CLGAN_CACHE_DIR and POCL_CACHE_DIR: pays clgan's
 *                  kernel builds, CLBlast's GEMM kernel compiles and the driver's
 *   startup/warm   again with the same folders, now filled (median of --reps runs)
 *
 * The device's GEMM tuning file, when there is one, is copied into the fresh
 * cache folder first, so both runs use the tuning an ordinary start uses
 * (CLGAN_GEMM_TUNED=0 is passed on to the child). Only PoCL's cache is
 * redirected; other drivers keep their own caches (e.g. NVIDIA's
 * ~/.nv/ComputeCache), so "cold" is cold for clgan and CLBlast only there.
 * The temporary folders are removed afterwards. */
#include "bench.h"
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ---- the child ------------------------------------------------------------------- */

static void count_build(const clgan_build_report *r, void *user)
{
    int *n = user;
    n[0]++;
    n[1] += r->from_cache;
}

static int child(const char *device)
{
    double t0 = bench_now(), t_ctx, t_build, t_gemm, t_step;
    clgan_ctx *ctx;
    if (cli_open_ctx(device, 0, &ctx)) return 1;
    t_ctx = bench_now();
    int built[2] = {0, 0};
    clgan_status st = clgan_ctx_build_all(ctx, count_build, built);
    t_build = bench_now();
    clgan_gemm_shape shape = {64, 64, 64, 0, 0, 1};
    clgan_bench_op *gemm = NULL;
    if (st == CLGAN_OK) st = clgan_bench_op_gemm(ctx, &shape, &gemm);
    if (st == CLGAN_OK) st = clgan_bench_op_run(gemm, 0);
    if (st == CLGAN_OK) st = clgan_ctx_finish(ctx);
    t_gemm = bench_now();
    clgan_workload *w = NULL;
    if (st == CLGAN_OK) st = clgan_workload_create(ctx, "dcgan28", 0, 0, &w);
    if (st == CLGAN_OK) st = clgan_workload_train_step(w);
    if (st == CLGAN_OK) st = clgan_ctx_finish(ctx);
    t_step = bench_now();
    int rc = 0;
    if (st != CLGAN_OK) rc = cli_fail("start-up child");
    else
        printf("{\"ctx_create_s\": %.4f, \"build_all_s\": %.4f, \"programs\": %d, \"programs_from_cache\": %d, "
               "\"gemm_s\": %.4f, \"train_step_s\": %.4f, \"tuned\": %s}\n",
               t_ctx - t0, t_build - t_ctx, built[0], built[1], t_gemm - t_build, t_step - t_gemm,
               clgan_ctx_tuned(ctx, NULL, 0) ? "true" : "false");
    clgan_workload_free(w);
    clgan_bench_op_free(gemm);
    clgan_ctx_free(ctx);
    return rc;
}

/* ---- the parent ----------------------------------------------------------------- */

/* rm -r; best effort. */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
                char sub[4096];
                snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
                remove_tree(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int copy_file(const char *from, const char *to)
{
    size_t len;
    char *text = bench_read_file(from, &len);
    if (!text) return 0;
    FILE *f = fopen(to, "wb");
    int ok = f && fwrite(text, 1, len, f) == len;
    if (f) ok &= fclose(f) == 0;
    free(text);
    return ok;
}

/* Run the child with the two cache folders; *wall_ms gets its life time and
 * *line (malloc'd) its stdout. Returns 0 on success, else prints why. */
static int run_child(const char *device, const char *clgan_cache, const char *pocl_cache, double *wall_ms, char **line)
{
    *line = NULL;
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "clgan bench startup: pipe: %s\n", strerror(errno));
        return 1;
    }
    char *args[8] = {"clgan", "bench", "startup", "--child", NULL, NULL, NULL, NULL};
    if (device) args[4] = "--device", args[5] = (char *)device;
    /* the child's environment: ours with the two cache folders replaced */
    size_t n_env = 0;
    while (environ[n_env]) n_env++;
    char **env = calloc(n_env + 3, sizeof *env);
    char e1[4300], e2[4300];
    snprintf(e1, sizeof e1, "CLGAN_CACHE_DIR=%s", clgan_cache);
    snprintf(e2, sizeof e2, "POCL_CACHE_DIR=%s", pocl_cache);
    if (!env) {
        close(fds[0]), close(fds[1]);
        fprintf(stderr, "clgan: out of host memory\n");
        return 1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n_env; i++)
        if (strncmp(environ[i], "CLGAN_CACHE_DIR=", 16) && strncmp(environ[i], "POCL_CACHE_DIR=", 15))
            env[k++] = environ[i];
    env[k++] = e1, env[k++] = e2, env[k] = NULL;

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    pid_t pid;
    double t0 = bench_now();
    int err = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, args, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    close(fds[1]);
    if (err) {
        close(fds[0]);
        fprintf(stderr, "clgan bench startup: cannot run /proc/self/exe: %s\n", strerror(err));
        return 1;
    }
    char buf[4096];
    size_t used = 0;
    ssize_t got;
    while ((got = read(fds[0], buf + used, sizeof buf - 1 - used)) > 0 || (got < 0 && errno == EINTR))
        if (got > 0) used += (size_t)got;
    buf[used] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    *wall_ms = (bench_now() - t0) * 1e3;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "clgan bench startup: the child process failed (%s %d)\n",
                WIFEXITED(status) ? "exit status" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return 1;
    }
    *line = strdup(buf);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: clgan bench startup [--device SPEC] [--reps N] [--out FILE.json] [--label TEXT] [--json]\n\n"
               "Times a new clgan process from start to ready: it creates a context, builds every kernel\n"
               "program, runs one 64x64x64 GEMM and one dcgan28 training step (batch 64).\n"
               "  startup/cold  with fresh, empty CLGAN_CACHE_DIR and POCL_CACHE_DIR: the cold start pays\n"
               "                clgan's kernel builds plus CLBlast's and the driver's compiles (about a\n"
               "                minute or two on PoCL); only PoCL's driver cache is redirected\n"
               "  startup/warm  the same with the folders filled (median of --reps runs, default 3)\n"
               "The device's GEMM tuning file is copied into the fresh cache folder, so both use the tuning\n"
               "an ordinary start would. The temporary folders are removed afterwards. params holds the\n"
               "child's phase times (context, build_all, GEMM, training step).\n\n"
               "  --device SPEC   index, type or name (default: $CLGAN_DEVICE, else the first GPU)\n"
               "  --out FILE.json write the clgan-bench/1 document (docs/bench-json.md) atomically;\n"
               "                  without it a table is printed\n"
               "  --label TEXT    the run's name in comparisons (default \"clgan <device>[ tuned]\")\n"
               "  --json          print the JSON document on stdout (the table then goes to stderr)\n"
               "Exit status: 0; 1 when a workload failed (it is still recorded, with its \"error\") or the\n"
               "file could not be written; 2 for bad options.\n");
}

/* The suite's own options. */
typedef struct startup_opts {
    int reps;     /* --reps N */
    int is_child; /* --child (hidden): this process is the timed one */
} startup_opts;

static int own_opt(int argc, char **argv, int *i, void *user)
{
    startup_opts *m = user;
    int bad = 0;
    const char *v;
    if ((v = cli_flag_value(argc, argv, i, "--reps", &bad))) return cli_parse_int("--reps", v, 1, 100, &m->reps) ? 1 : -1;
    if (bad) return -1;
    if (!strcmp(argv[*i], "--child")) return m->is_child = 1;
    return 0;
}

int bench_startup(int argc, char **argv)
{
    startup_opts m = {.reps = 3};
    bench_out_opts o = {0};
    int rc = bench_parse_args(argc, argv, "startup", usage, own_opt, &m, &o);
    if (rc) return rc < 0 ? 0 : rc;
    if (m.is_child) return child(o.device);

    /* The header, and the tuning file to copy, from a context in this process
     * (its own caches are not touched by the children). */
    clgan_ctx *ctx;
    if (cli_open_ctx(o.device, 0, &ctx)) return 1;
    bench_doc doc;
    if (bench_doc_begin(&doc, "startup", ctx, 0, o.label) != CLGAN_OK) {
        clgan_ctx_free(ctx);
        return cli_fail("benchmark header");
    }
    char tuning_src[4096] = "";
    if (clgan_ctx_tuning(ctx) && clgan_ctx_cache_dir(ctx)[0])
        clgan_tuning_path(clgan_ctx_cache_dir(ctx), clgan_ctx_device(ctx), tuning_src, sizeof tuning_src);
    clgan_device_info info = *clgan_ctx_device(ctx);
    clgan_ctx_free(ctx);

    const char *tmp = getenv("TMPDIR");
    char root[4096], cdir[4200], pdir[4200];
    snprintf(root, sizeof root, "%s/clgan-startup-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root)) {
        fprintf(stderr, "clgan bench startup: cannot create a temporary folder %s: %s\n", root, strerror(errno));
        cJSON_Delete(doc.root);
        return 1;
    }
    snprintf(cdir, sizeof cdir, "%s/clgan", root);
    snprintf(pdir, sizeof pdir, "%s/pocl", root);
    int made = mkdir(cdir, 0755) == 0 && mkdir(pdir, 0755) == 0;
    if (made && tuning_src[0]) {
        char dst[4096], dir[4096];
        clgan_tuning_path(cdir, &info, dst, sizeof dst);
        snprintf(dir, sizeof dir, "%s", dst);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = '\0';
        if (!cli_make_dirs(dir) || !copy_file(tuning_src, dst))
            fprintf(stderr, "clgan bench startup: note: could not copy the tuning file %s; the children run untuned\n",
                    tuning_src);
    }
    fprintf(stderr, "clgan bench startup: note: the cold start pays CLBlast's and the driver's kernel compiles "
                    "(about a minute or two on PoCL)\n");
    double *times = calloc((size_t)m.reps, sizeof *times);
    for (int phase = 0; phase < 2; phase++) {
        bench_result r;
        bench_result_init(&r, "startup", phase ? "startup/warm" : "startup/cold");
        int runs = phase ? m.reps : 1;
        fprintf(stderr, "clgan bench startup: %s start%s...\n", phase ? "warm" : "cold (empty caches)",
                runs > 1 ? "s" : "");
        r.params = cJSON_CreateObject();
        cJSON_AddStringToObject(r.params, "child", "context, build_all, 64x64x64 GEMM, one dcgan28 training step (b64)");
        cJSON_AddBoolToObject(r.params, "caches_empty", !phase);
        int ok = made && times;
        if (!made) bench_result_fail(&r, "cannot create the temporary cache folders");
        else if (!times) bench_result_fail(&r, "out of host memory");
        for (int i = 0; ok && i < runs; i++) {
            char *line = NULL;
            if (run_child(o.device, cdir, pdir, &times[i], &line)) {
                bench_result_fail(&r, "the child process failed (its messages are above)");
                ok = 0;
            } else if (i == runs - 1) {
                cJSON *c = cJSON_Parse(line);
                if (c) {
                    cJSON *it;
                    cJSON_ArrayForEach(it, c) cJSON_AddItemToObject(r.params, it->string, cJSON_Duplicate(it, 1));
                    cJSON_Delete(c);
                }
            }
            free(line);
        }
        if (ok) r.times_ms = times, r.reps = runs;
        r.extra = cJSON_CreateObject();
        cJSON_AddStringToObject(r.extra, "note", phase ? "caches filled by the cold run"
                                                       : "empty CLGAN_CACHE_DIR and POCL_CACHE_DIR: pays CLBlast's and "
                                                         "the driver's kernel compiles");
        bench_add(&doc, &r);
    }
    free(times);
    remove_tree(root);
    return bench_doc_finish(&doc, &o);
}
