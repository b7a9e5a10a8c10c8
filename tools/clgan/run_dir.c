/* run_dir.c — run-folder checks, log trimming and signal handling for the
 * training commands. */
#include "run_dir.h"

#include <stdio.h>
#include <string.h>

volatile sig_atomic_t run_stop_signal;

static void on_signal(int sig) { run_stop_signal = sig; }

void run_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int run_report_stop(int64_t step, const char *ckpt_path)
{
    fprintf(stderr, "clgan: stopped by %s after step %lld; checkpoint written to %s. Continue with --resume\n",
            run_stop_signal == SIGINT ? "Ctrl-C" : "SIGTERM", (long long)step, ckpt_path);
    return 128 + run_stop_signal;
}

int run_check_checkpoint(const char *out, const char *ckpt_path, int resume)
{
    FILE *probe = fopen(ckpt_path, "rb");
    int have = probe != NULL;
    if (probe) fclose(probe);
    if (resume && !have) {
        fprintf(stderr, "clgan: nothing to resume: %s does not exist\n", ckpt_path);
        return 0;
    }
    if (!resume && have) {
        fprintf(stderr, "clgan: %s already holds a run (%s). Continue it with --resume, or choose another --out\n",
                out, ckpt_path);
        return 0;
    }
    return 1;
}

int run_trim_log(const char *path, int64_t step)
{
    FILE *in = fopen(path, "r");
    if (!in) return 1;
    char tmp[1200], line[512];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "w");
    if (!out) {
        fclose(in);
        return 0;
    }
    while (fgets(line, sizeof line, in)) {
        long long s;
        if (sscanf(line, "%lld,", &s) != 1 || s <= step) fputs(line, out);
    }
    fclose(in);
    int ok = fclose(out) == 0 && rename(tmp, path) == 0;
    if (!ok) remove(tmp);
    return ok;
}
