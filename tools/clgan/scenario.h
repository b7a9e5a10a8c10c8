/* scenario.h — what train-gan and train-classifier share about their data
 * scenario: parsing --imbalance, applying --imbalance then --labels with the
 * run's seed (so both commands see the same training split), a file's
 * SHA-256 (to recognise a GAN checkpoint on --resume), and escaping a path
 * into one space-free token of a checkpoint note. */
#ifndef CLGAN_SCENARIO_H
#define CLGAN_SCENARIO_H
#include "clgan.h"

#include <stddef.h>
#include <stdint.h>

/* "CLASS:FRACTION" (e.g. "3:0.025"); prints the error and returns 0 when malformed. */
int scenario_parse_imbalance(const char *text, int *cls /* OUT */, float *fraction /* OUT */);

/* Replace *data by its subset: --imbalance first (imb_class >= 0:
 * clgan_dataset_imbalance), then --labels (labels > 0:
 * clgan_dataset_keep_labels, the other images dropped), both with seed.
 * Returns 0, or 1 after printing the reason (*data is then still valid). */
int scenario_apply(clgan_dataset **data, int imb_class, float imb_fraction, int labels, uint64_t seed);

/* SHA-256 of a file's bytes as 64 hex digits; prints the reason (starting
 * with `what`, e.g. the flag) and returns 0 when it cannot be read. */
int scenario_file_sha256(const char *what, const char *path, char hex[65]);

/* A path as one token without spaces or '|': '%', bytes <= ' ', '|' and
 * 0x7f become %XX ("-" stands for no path, so a leading '-' is escaped too).
 * Returns 0 when out is too small. */
int scenario_escape(const char *in, char *out, size_t cap);
/* The inverse; returns 0 on a malformed escape or when out is too small. */
int scenario_unescape(const char *in, char *out, size_t cap);
#endif
