/* cl_include.h — one place that pulls in the OpenCL headers at the 1.2 API
 * level, so every host file sees the same target version. */
#ifndef CLGAN_CL_INCLUDE_H
#define CLGAN_CL_INCLUDE_H
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#ifdef __APPLE__
#include <OpenCL/opencl.h>
#else
#include <CL/cl.h>
#endif
#endif
