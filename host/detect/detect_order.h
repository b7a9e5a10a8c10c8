/* detect_order.h — the one ranking rule the detection code shares: by score,
 * highest first, equal scores in their original order. */
#ifndef CLGAN_DETECT_ORDER_H
#define CLGAN_DETECT_ORDER_H
#include "clgan.h"

#include <stddef.h>

/* order[0..n) receives the indices 0..n-1 of the n scores (the float at
 * byte offset i * stride from scores, so a field of an array of structs
 * works) ranked highest first, ties by index. Returns 0 when out of memory. */
int detect_sort_by_score(const float *scores, size_t stride, int n, int *order);
#endif
