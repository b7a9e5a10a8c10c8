/* clock.h — the monotonic clock the library times things with. */
#ifndef CLGAN_CLOCK_H
#define CLGAN_CLOCK_H
/* Seconds on CLOCK_MONOTONIC (only differences mean anything). */
double clgan_now_seconds(void);
#endif
