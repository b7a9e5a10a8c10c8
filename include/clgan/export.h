/* clgan/export.h — CLGAN_API marks the functions libclgan exports.
 *
 * The shared library is built with hidden visibility (-fvisibility=hidden),
 * so only declarations marked CLGAN_API are visible to programs that link it.
 * CLGAN_BUILDING is defined while the library itself is compiled; CLGAN_STATIC
 * by programs that link the static library on Windows.
 */
#ifndef CLGAN_EXPORT_H
#define CLGAN_EXPORT_H
#if defined(_WIN32) && !defined(CLGAN_STATIC)
#if defined(CLGAN_BUILDING)
#define CLGAN_API __declspec(dllexport)
#else
#define CLGAN_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define CLGAN_API __attribute__((visibility("default")))
#else
#define CLGAN_API
#endif
#endif
