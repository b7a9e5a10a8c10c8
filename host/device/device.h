/* device.h — internal view of OpenCL device enumeration (see clgan.h for the
 * public part): map a flat device index to its cl_platform_id/cl_device_id. */
#ifndef CLGAN_DEVICE_H
#define CLGAN_DEVICE_H
#include "clgan.h"
#include "core/cl_include.h"

clgan_status clgan_device_ids(int index, cl_platform_id *platform /* OUT */,
                              cl_device_id *device /* OUT */);
/* Fill info from an already known device id. */
clgan_status clgan_device_query(cl_platform_id platform, cl_device_id device,
                                clgan_device_info *info /* OUT */);
#endif
