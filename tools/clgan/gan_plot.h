/* gan_plot.h — the loss-curve PNG of a train-gan run, drawn from its log.csv. */
#ifndef CLGAN_GAN_PLOT_H
#define CLGAN_GAN_PLOT_H
#include <stdint.h>
/* Moving averages (window about a quarter epoch) of D and G loss against the
 * step. Returns 0 and leaves a message for clgan_last_error() on failure. */
int gan_plot_losses(const char *log_csv, const char *png, int64_t steps_per_epoch);
#endif
