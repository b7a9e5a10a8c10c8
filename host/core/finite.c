/* finite.c — counting non-finite floats in a host array. */
#include "finite.h"

#include <math.h>

size_t clgan_count_nonfinite(const float *v, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += !isfinite(v[i]);
    return bad;
}
