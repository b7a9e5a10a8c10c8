/* finite.h — counting non-finite floats in a host array.
 *
 * Used by the checkpoint writers (which refuse to write non-finite
 * parameters), the checkpoint loaders (which warn about them) and the
 * training loops' per-epoch parameter check.
 */
#ifndef CLGAN_FINITE_H
#define CLGAN_FINITE_H

#include <stddef.h>

/* Number of NaN or infinite values among v[0..n). v may be NULL when n is 0. */
size_t clgan_count_nonfinite(const float *v, size_t n);

#endif
