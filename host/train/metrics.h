/* metrics.h — classification metrics on the host: confusion matrices,
 * accuracy, per-class recall and precision. Pure C, no device.
 *
 * A confusion matrix is K×K int64 counts, row-major, cm[t*K + p] = number of
 * images of true class t predicted as p (rows: truth, columns: prediction).
 */
#ifndef CLGAN_METRICS_H
#define CLGAN_METRICS_H
#include "clgan.h"

#include <stdint.h>

/* All of them are public: clgan/score.h. */
#endif
