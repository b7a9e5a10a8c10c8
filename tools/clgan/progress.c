/* progress.c — terminal progress bar and plain progress lines. */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double progress_now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void progress_begin(progress *p, int epochs, int64_t steps_total, int64_t steps_done, int64_t steps_per_epoch)
{
    p->tty = isatty(fileno(stderr));
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
        enum { WIDTH = 24 };
        int filled = steps_per_epoch ? (int)(WIDTH * step_in_epoch / steps_per_epoch) : 0;
        char bar[WIDTH + 1];
        for (int i = 0; i < WIDTH; i++) bar[i] = i < filled ? '#' : '.';
        bar[WIDTH] = 0;
        fprintf(stderr, "\r\033[Kepoch %d/%d [%s] %lld/%lld | %s | %.0f img/s | %s, ETA %s", epoch, p->epochs, bar,
                (long long)step_in_epoch, (long long)steps_per_epoch, metrics, ips, el_s, eta_s);
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
