/* presets.h — the architecture presets: host/models/NAME.arch, embedded at
 * build time (tools/embed_cl.cmake) as clgan_embedded_arch, and the table of
 * (preset, part) that names them. */
#ifndef CLGAN_PRESETS_H
#define CLGAN_PRESETS_H
#include "device/context.h"

extern const clgan_embedded_source clgan_embedded_arch[];
extern const int clgan_embedded_arch_count;
#endif
