/* progress.c — terminal progress bar and plain progress lines. */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

double progress_now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int progress_columns(void)
{
    struct winsize ws;
    if (isatty(STDERR_FILENO) && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    const char *env = getenv("COLUMNS");
    char *end;
    long v = env ? strtol(env, &end, 10) : 0;
    if (env && end != env && *end == '\0' && v > 0 && v < 10000) return (int)v;
    return 80;
}

/* Draw text as the terminal's current line, cut to the width (one column
 * spare: a line that fills the last column wraps on some terminals). */
static void draw_line(const char *text)
{
    int room = progress_columns() - 1;
    if (room < 1) room = 1;
    fprintf(stderr, "\r\033[K%.*s", room, text);
}

void progress_begin(progress *p, int epochs, int64_t steps_total, int64_t steps_done, int64_t steps_per_epoch)
{
    /* The descriptor, not fileno(stderr): stderr may be a pass-through stream (--json). */
    p->tty = isatty(STDERR_FILENO);
    p->epochs = epochs;
    p->steps_total = steps_total;
    p->steps_done = p->steps_at_start = p->last_logged = steps_done;
    p->t_start = p->t_last_draw = progress_now();
    p->log_every = steps_per_epoch / 10 > 0 ? steps_per_epoch / 10 : 1;
    p->line_open = 0;
}

static void format_duration(double s, char *out, size_t cap)
{
    if (s < 0 || s > 360000) {
        snprintf(out, cap, "--:--");
        return;
    }
    int t = (int)(s + 0.5);
    if (t >= 3600) snprintf(out, cap, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    else snprintf(out, cap, "%d:%02d", t / 60, t % 60);
}

/* The bar's line in at most `room` characters: "epoch E/N [####....] s/S |
 * metrics | N img/s | elapsed, ETA t". When it does not fit, the bar
 * shrinks (24 down to 8 cells), then the elapsed time, the speed and the bar
 * go, then metrics are dropped from the end (whole "name value" pairs); the
 * epoch, step and ETA stay. */
static void format_bar_line(char *out, size_t cap, int room, const char *head, const char *count, const char *metrics,
                            double ips, const char *elapsed, const char *eta, int64_t done, int64_t of)
{
    enum { BAR_MAX = 24, BAR_MIN = 8 };
    char tail[512], m[256];
    snprintf(m, sizeof m, "%s", metrics);
    for (int level = 0;; level++) { /* 0: everything; 1: no elapsed time; 2: no speed; 3+: no bar */
        int n = snprintf(tail, sizeof tail, " %s%s%s", count, m[0] ? " | " : "", m);
        if (level < 2) n += snprintf(tail + n, sizeof tail - (size_t)n, " | %.0f img/s", ips);
        if (level < 1) snprintf(tail + n, sizeof tail - (size_t)n, " | %s, ETA %s", elapsed, eta);
        else snprintf(tail + n, sizeof tail - (size_t)n, " | ETA %s", eta);
        int fixed = (int)(strlen(head) + strlen(tail));
        if (level < 3) {
            int cells = room - fixed - 3; /* " [" and "]" */
            if (cells > BAR_MAX) cells = BAR_MAX;
            if (cells < BAR_MIN) continue;
            char bar[BAR_MAX + 1];
            int filled = of ? (int)(cells * done / of) : 0;
            for (int i = 0; i < cells; i++) bar[i] = i < filled ? '#' : '.';
            bar[cells] = '\0';
            snprintf(out, cap, "%s [%s]%s", head, bar, tail);
            return;
        }
        if (fixed <= room || !m[0]) {
            snprintf(out, cap, "%s%s", head, tail); /* draw_line cuts what still does not fit */
            return;
        }
        for (int t = 0; t < 2 && m[0]; t++) { /* drop the last "name value" pair of the metrics */
            char *sp = strrchr(m, ' ');
            if (sp) *sp = '\0';
            else m[0] = '\0';
        }
    }
}

void progress_update(progress *p, int epoch, int64_t step_in_epoch, int64_t steps_per_epoch, int64_t images_per_step,
                     const char *metrics)
{
    p->steps_done++;
    double now = progress_now(), elapsed = now - p->t_start;
    int64_t run_steps = p->steps_done - p->steps_at_start;
    double ips = elapsed > 0 ? run_steps * (double)images_per_step / elapsed : 0;
    double eta = run_steps > 0 ? elapsed / run_steps * (double)(p->steps_total - p->steps_done) : -1;
    char eta_s[16], el_s[16];
    format_duration(eta, eta_s, sizeof eta_s);
    format_duration(elapsed, el_s, sizeof el_s);
    int end_of_epoch = step_in_epoch == steps_per_epoch;
    if (p->tty) {
        if (now - p->t_last_draw < 0.1 && !end_of_epoch && p->steps_done != p->steps_total) return;
        p->t_last_draw = now;
        char head[64], count[64], line[1024];
        snprintf(head, sizeof head, "epoch %d/%d", epoch, p->epochs);
        snprintf(count, sizeof count, "%lld/%lld", (long long)step_in_epoch, (long long)steps_per_epoch);
        format_bar_line(line, sizeof line, progress_columns() - 1, head, count, metrics, ips, el_s, eta_s,
                        step_in_epoch, steps_per_epoch);
        draw_line(line);
        p->line_open = !end_of_epoch; /* a finished epoch keeps its line */
        if (end_of_epoch) fputc('\n', stderr);
        fflush(stderr);
        return;
    }
    if (p->steps_done - p->last_logged < p->log_every && !end_of_epoch && p->steps_done != p->steps_total) return;
    p->last_logged = p->steps_done;
    fprintf(stderr, "epoch %d/%d step %lld/%lld (total %lld/%lld) | %s | %.0f img/s | elapsed %s, ETA %s\n", epoch,
            p->epochs, (long long)step_in_epoch, (long long)steps_per_epoch, (long long)p->steps_done,
            (long long)p->steps_total, metrics, ips, el_s, eta_s);
}

void progress_break(progress *p)
{
    if (p->tty && p->line_open) {
        fputc('\n', stderr);
        fflush(stderr);
        p->line_open = 0;
    }
}

clgan_status progress_evaluate(progress *p, const char *what, progress_eval_fn fn, void *model,
                               const clgan_dataset *d, int chunk, int classes, int64_t *confusion)
{
    clgan_dataset_info info;
    clgan_status st = clgan_dataset_get_info(d, &info);
    if (st != CLGAN_OK) return st;
    if (info.count <= 0) return fn(model, d, confusion);
    int tty = isatty(STDERR_FILENO);
    if (p) progress_break(p);
    if (chunk < 1) chunk = 1;
    if (chunk > info.count) chunk = info.count;
    size_t K2 = (size_t)classes * classes;
    int64_t *part = calloc(K2 ? K2 : 1, sizeof *part);
    int *indices = malloc((size_t)chunk * sizeof *indices);
    if (!part || !indices) {
        free(part), free(indices);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for the evaluation of %s", info.source);
    }
    memset(confusion, 0, K2 * sizeof *confusion);
    int chunks = (info.count + chunk - 1) / chunk;
    double t_draw = 0;
    for (int i = 0; i < chunks && st == CLGAN_OK; i++) {
        double now = progress_now();
        if (tty && (now - t_draw >= 0.1 || i == 0)) {
            char line[256];
            snprintf(line, sizeof line, "%s %d/%d batches", what, i, chunks);
            draw_line(line);
            fflush(stderr);
            t_draw = now;
        }
        /* images [i*chunk, i*chunk + take) of d */
        int take = info.count - i * chunk < chunk ? info.count - i * chunk : chunk;
        for (int j = 0; j < take; j++) indices[j] = i * chunk + j;
        clgan_dataset *view;
        st = clgan_dataset_select(d, indices, take, &view);
        if (st == CLGAN_OK) st = fn(model, view, part);
        clgan_dataset_free(view);
        for (size_t k = 0; k < K2 && st == CLGAN_OK; k++) confusion[k] += part[k];
    }
    if (tty && chunks > 0) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    free(part);
    free(indices);
    return st;
}
