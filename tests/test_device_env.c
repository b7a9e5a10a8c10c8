/* test_device_env.c — outside inputs of the device layer: bad values of
 * CLGAN_KERNEL_DIR, CLGAN_KERNEL_FORM and CLGAN_GEMM_TUNED fail context
 * creation with the variable, its value (escaped) and the allowed values;
 * tuning-file lines quoted escaped in messages; kernel-cache entries checked
 * against their real length before anything is allocated for them.
 * Needs no OpenCL device: the checks run before one is picked. */
#include "test_util.h"
#include "core/sha256.h"
#include "device/context.h"
#include "device/tuning.h"

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

static int has(const char *needle) { return strstr(clgan_last_error(), needle) != NULL; }

/* With var=value set: context creation must fail with a message holding all of expect (NULL-terminated). */
static void expect_refused(const char *var, const char *value, const char *const *expect)
{
    setenv(var, value, 1);
    clgan_ctx *ctx = NULL;
    clgan_status st = clgan_ctx_create(NULL, &ctx);
    int ok = st == CLGAN_ERR_INVALID_ARG && !ctx;
    for (int i = 0; ok && expect[i]; i++) ok = has(expect[i]);
    EXPECT(ok, "%s refused at context creation: %s", var, clgan_last_error());
    clgan_ctx_free(ctx);
    unsetenv(var);
}

static void expect_accepted(const char *var, const char *value)
{
    setenv(var, value, 1);
    clgan_status st = clgan_env_check();
    EXPECT(st == CLGAN_OK, "%s='%s' accepted: %s", var, value, st == CLGAN_OK ? "" : clgan_last_error());
    unsetenv(var);
}

static void test_env(const char *dir)
{
    unsetenv("CLGAN_KERNEL_DIR");
    unsetenv("CLGAN_KERNEL_FORM");
    unsetenv("CLGAN_GEMM_TUNED");
    EXPECT(clgan_env_check() == CLGAN_OK, "nothing set: fine");

    char missing[512], file[512];
    snprintf(missing, sizeof missing, "%s/no-such-folder", dir);
    snprintf(file, sizeof file, "%s/a-file", dir);
    FILE *f = fopen(file, "w");
    if (f) fclose(f);
    expect_refused("CLGAN_KERNEL_DIR", missing,
                   WANT("CLGAN_KERNEL_DIR=", missing, "No such file or directory", "readable folder"));
    expect_refused("CLGAN_KERNEL_DIR", file, WANT("CLGAN_KERNEL_DIR=", file, "is not a folder"));
    if (geteuid() != 0) { /* root reads any folder */
        char locked[512];
        snprintf(locked, sizeof locked, "%s/locked", dir);
        mkdir(locked, 0);
        expect_refused("CLGAN_KERNEL_DIR", locked, WANT("CLGAN_KERNEL_DIR=", "cannot be read"));
        chmod(locked, 0755);
    }
    expect_accepted("CLGAN_KERNEL_DIR", dir);
    expect_accepted("CLGAN_KERNEL_DIR", "");

    expect_refused("CLGAN_KERNEL_FORM", "row", WANT("CLGAN_KERNEL_FORM='row'", "rows or items"));
    expect_refused("CLGAN_KERNEL_FORM", "ro\x1bws", WANT("CLGAN_KERNEL_FORM='ro\\x1bws'"));
    expect_accepted("CLGAN_KERNEL_FORM", "rows");
    expect_accepted("CLGAN_KERNEL_FORM", "items");
    expect_accepted("CLGAN_KERNEL_FORM", "");
    setenv("CLGAN_KERNEL_FORM", "bogus", 1);
    EXPECT(clgan_kernel_form_env() == -1, "an unknown form never selects one");
    unsetenv("CLGAN_KERNEL_FORM");

    expect_refused("CLGAN_GEMM_TUNED", "yes", WANT("CLGAN_GEMM_TUNED='yes'", "not 0 or 1"));
    expect_refused("CLGAN_GEMM_TUNED", "2", WANT("CLGAN_GEMM_TUNED='2'"));
    expect_accepted("CLGAN_GEMM_TUNED", "0");
    expect_accepted("CLGAN_GEMM_TUNED", "1");
    expect_accepted("CLGAN_GEMM_TUNED", "");
}

/* A tuning file's text with a correct checksum line after body. */
static char *with_checksum(const char *body)
{
    uint8_t d[32];
    char hex[65];
    clgan_sha256(body, strlen(body), d);
    clgan_sha256_hex(d, hex);
    char *t = malloc(strlen(body) + 80);
    sprintf(t, "%ssha256 %s\n", body, hex);
    return t;
}

static void test_tuning_lines(void)
{
    clgan_tuning t;
    char *text = with_checksum("clgan-tuning 1\nplatform P\ndevice D\ndriver 1\nclblast 1.5.3\n"
                               "set Xgemm\x01 MWG=\xff\n");
    clgan_status st = clgan_tuning_parse(text, strlen(text), &t);
    EXPECT(st == CLGAN_ERR_FORMAT && has("line 6 is malformed: 'set Xgemm\\x01 MWG=\\xff'"),
           "a malformed tuning line is quoted escaped: %s", clgan_last_error());
    free(text);
    text = with_checksum("clgan-tuning\x1b 2\nplatform P\n");
    st = clgan_tuning_parse(text, strlen(text), &t);
    EXPECT(st == CLGAN_ERR_FORMAT && has("line 1 is 'clgan-tuning\\x1b 2', not 'clgan-tuning 1'"),
           "a foreign first line is quoted escaped: %s", clgan_last_error());
    free(text);
}

static void test_cache_entries(void)
{
    enum { BIN = 40 };
    unsigned char e[80 + BIN];
    uint8_t key[32];
    memset(key, 7, sizeof key);
    memcpy(e, "CLGANPB1", 8);
    memcpy(e + 8, key, 32);
    for (int i = 0; i < 8; i++) e[40 + i] = (unsigned char)((uint64_t)BIN >> (8 * i));
    for (int i = 0; i < BIN; i++) e[80 + i] = (unsigned char)i;
    clgan_sha256(e + 80, BIN, e + 48);
    const unsigned char *bin;
    size_t n;
    EXPECT(clgan_program_cache_check(e, sizeof e, key, &bin, &n) == NULL && bin == e + 80 && n == BIN,
           "a valid cache entry passes");
    const char *why = clgan_program_cache_check(e, 79, key, &bin, &n);
    EXPECT(why && strstr(why, "truncated") && !bin, "a short entry: %s", why ? why : "accepted");
    why = clgan_program_cache_check(e, sizeof e - 1, key, &bin, &n);
    EXPECT(why && strstr(why, "length mismatch"), "a cut binary: %s", why ? why : "accepted");
    uint64_t huge = (uint64_t)1 << 63; /* what a reader allocating the declared length would ask for */
    for (int i = 0; i < 8; i++) e[40 + i] = (unsigned char)(huge >> (8 * i));
    why = clgan_program_cache_check(e, sizeof e, key, &bin, &n);
    EXPECT(why && strstr(why, "length mismatch") && !bin, "a declared length of 2^63: %s", why ? why : "accepted");
    for (int i = 0; i < 8; i++) e[40 + i] = (unsigned char)((uint64_t)BIN >> (8 * i));
    e[100] ^= 1;
    why = clgan_program_cache_check(e, sizeof e, key, &bin, &n);
    EXPECT(why && strstr(why, "checksum"), "a flipped binary byte: %s", why ? why : "accepted");
    e[100] ^= 1;
    key[0] ^= 1;
    why = clgan_program_cache_check(e, sizeof e, key, &bin, &n);
    EXPECT(why && strstr(why, "key"), "another key: %s", why ? why : "accepted");
    EXPECT(clgan_program_cache_check(e, sizeof e, NULL, &bin, &n) == NULL, "no key: the rest still checked and valid");
}

int main(void)
{
    char dir[256], cmd[600];
    snprintf(dir, sizeof dir, "/tmp/clgan-test-devenv-%d", (int)getpid());
    mkdir(dir, 0755);
    test_env(dir);
    test_tuning_lines();
    test_cache_entries();
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
    return test_finish();
}
