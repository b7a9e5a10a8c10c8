/* test_settings.c — the settings tables (host/train/settings.h): every kind's
 * defaults within range and equal to its default config; names unique and
 * usable as flags; random valid configs round-trip through text exactly;
 * every bad value, unknown name and malformed word refused, naming it;
 * config sections written by the previous release read and written back
 * unchanged; the resume comparison. No device needed. */
#include "test_util.h"
#include "core/error.h"
#include "train/classifier.h"
#include "train/detector.h"
#include "train/dfeatures.h"
#include "train/gan.h"
#include "train/settings.h"
#include "train/ssl.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>

static const clgan_model_kind kinds[] = {CLGAN_MODEL_GAN, CLGAN_MODEL_CLASSIFIER, CLGAN_MODEL_SSL,
                                         CLGAN_MODEL_DFEATURES, CLGAN_MODEL_DETECTOR};
#define KINDS (int)(sizeof kinds / sizeof kinds[0])
#define CFG_CAP 8192 /* larger than every kind's config struct */

static int has(const char *needle) { return strstr(clgan_last_error(), needle) != NULL; }

/* The kind's default config as its trainer's own function gives it. */
static void default_config(clgan_model_kind kind, void *cfg)
{
    memset(cfg, 0, CFG_CAP);
    if (kind == CLGAN_MODEL_GAN) *(clgan_gan_config *)cfg = clgan_gan_default_config();
    if (kind == CLGAN_MODEL_CLASSIFIER) *(clgan_classifier_config *)cfg = clgan_classifier_default_config();
    if (kind == CLGAN_MODEL_SSL) *(clgan_ssl_config *)cfg = clgan_ssl_default_config();
    if (kind == CLGAN_MODEL_DETECTOR) *(clgan_detector_config *)cfg = clgan_detector_default_config(); /* the table's */
    if (kind == CLGAN_MODEL_DFEATURES) {
        clgan_dhead_file *f = cfg;
        f->feat = clgan_dfeat_default_options();
        f->head = clgan_dhead_default_config();
    }
}

static void test_tables(void)
{
    EXPECT(clgan_settings_config_size(CLGAN_MODEL_DFEATURES) <= CFG_CAP, "config structs fit the test's buffers");
    for (int k = 0; k < KINDS; k++) {
        clgan_model_kind kind = kinds[k];
        const char *kn = clgan_model_kind_name(kind);
        int count = clgan_setting_count(kind), n;
        const clgan_setting_row *rows = clgan_settings_rows(kind, &n);
        EXPECT(count >= 8 && count <= n, "%s: %d public settings of %d rows", kn, count, n);
        EXPECT(!clgan_setting_at(kind, count) && !clgan_setting_at(kind, -1), "%s: at() is NULL out of range", kn);
        int bad_names = 0, bad_defaults = 0, dup = 0, bad_find = 0;
        for (int i = 0; i < n; i++) {
            const clgan_setting_info *in = &rows[i].info;
            const char *c = in->name;
            if (!islower((unsigned char)c[0])) bad_names++;
            for (; *c; c++)
                if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_')) bad_names++;
            for (int j = 0; j < i; j++) dup += !strcmp(rows[j].info.name, in->name);
            if (!in->help || !in->help[0] || in->help[strlen(in->help) - 1] == '.') bad_names++;
            /* the default parses as user text, and is within range (or the documented "automatic" 0) */
            char cfg[CFG_CAP], text[128];
            memset(cfg, 0, sizeof cfg);
            default_config(kind, cfg);
            snprintf(text, sizeof text, "%s=%s", in->name, in->default_value);
            int hidden = !!(rows[i].flags & CLGAN_ROW_HIDDEN);
            clgan_status st = hidden ? CLGAN_OK : clgan_settings_parse(kind, "settings", text, cfg);
            int zero_auto = (rows[i].flags & CLGAN_ROW_ZERO_AUTO) && !strcmp(in->default_value, "0");
            if (in->type == CLGAN_SETTING_INT || in->type == CLGAN_SETTING_FLOAT || in->type == CLGAN_SETTING_BOOL) {
                double d = atof(in->default_value);
                int lo_ok = (in->open & CLGAN_SETTING_OPEN_MIN) ? d > in->min : d >= in->min;
                int hi_ok = (in->open & CLGAN_SETTING_OPEN_MAX) ? d < in->max : d <= in->max;
                if (!zero_auto && !(lo_ok && hi_ok)) bad_defaults++, printf("  %s.%s default out of range\n", kn, c);
            }
            if (st != CLGAN_OK) bad_defaults++, printf("  %s: %s\n", text, clgan_last_error());
            if (!hidden && clgan_setting_find(kind, in->name) != in) bad_find++;
            if (hidden && clgan_setting_find(kind, in->name)) bad_find++;
        }
        for (int i = 0; i < count; i++)
            if (clgan_setting_find(kind, clgan_setting_at(kind, i)->name) != clgan_setting_at(kind, i)) bad_find++;
        EXPECT(!bad_names && !dup, "%s: names are flag-safe ([a-z][a-z0-9_]*) and unique, help set: %d bad, %d twice",
               kn, bad_names, dup);
        EXPECT(!bad_defaults, "%s: every default is in range and parses (%d bad)", kn, bad_defaults);
        EXPECT(!bad_find, "%s: find() gives the public rows and hides the others (%d wrong)", kn, bad_find);
        EXPECT(!clgan_setting_find(kind, "no_such_setting") && !clgan_setting_find(kind, NULL), "%s: unknown name", kn);

        /* the table's defaults are the trainer's default config, and the default config written and read back is itself */
        char a[CFG_CAP], b[CFG_CAP], t1[2048], t2[2048];
        memset(a, 0, sizeof a), memset(b, 0, sizeof b);
        clgan_settings_defaults(kind, a);
        default_config(kind, b);
        EXPECT(!memcmp(a, b, clgan_settings_config_size(kind)), "%s: table defaults == default config", kn);
        clgan_settings_write(kind, CLGAN_SECTION_ALL, a, t1, sizeof t1);
        for (int i = 0; i < n; i++) {
            char v[96], want[128];
            clgan_settings_format(&rows[i], a, v, sizeof v);
            snprintf(want, sizeof want, "%s=%s", rows[i].info.name, v);
            if (!strstr(t1, want)) printf("  %s missing from '%s'\n", want, t1), bad_defaults++;
        }
        EXPECT(!bad_defaults, "%s: the written text holds every row", kn);
        (void)t2;
    }
    /* the documented values (gan.h, classifier.h, ssl.h, dfeatures.h) */
    clgan_gan_config g = clgan_gan_default_config();
    EXPECT(g.batch == 64 && g.adam_g.lr == 2e-4f && g.adam_d.beta1 == 0.5f && g.arch.nz == 100 && g.seed == 1 &&
               !strcmp(g.arch.model, "dcgan28") && g.loss == CLGAN_GAN_LOSS_NS,
           "gan defaults: batch 64, lr 2e-4, beta1 0.5, nz 100, seed 1, dcgan28, ns");
    clgan_classifier_config c = clgan_classifier_default_config();
    EXPECT(c.batch == 64 && c.lr == 0 && c.momentum == 0.9f && c.beta2 == 0.999f && c.lr_decay == 1 &&
               c.arch.classes == 10 && c.optimizer == CLGAN_CLASSIFIER_ADAM,
           "classifier defaults: batch 64, lr automatic, momentum 0.9, no decay, 10 classes, adam");
    clgan_ssl_config s = clgan_ssl_default_config();
    EXPECT(s.adam_d.lr == 2e-3f && s.adam_g.beta1 == 0.5f && s.width == 32 && s.unlabelled_weight == 1,
           "ssl defaults: lr 2e-3, beta1 0.5, width 32, unlabelled weight 1");
    clgan_dhead_config h = clgan_dhead_default_config();
    clgan_dfeat_options o = clgan_dfeat_default_options();
    EXPECT(h.batch == 64 && h.epochs == 100 && h.lr == 1e-3f && h.hidden == 0 &&
               o.pool == (CLGAN_DFEAT_AVG | CLGAN_DFEAT_MAX | CLGAN_DFEAT_GRID2) && o.cond_label == 0,
           "dfeatures defaults: batch 64, 100 epochs, lr 1e-3, linear head, avg+max+grid pooling");
    /* the model rows' choices are the trainers' presets */
    const char *preset_names[] = {clgan_gan_model_names(), clgan_classifier_model_names(), clgan_ssl_model_names()};
    int unknown = 0;
    for (int k = 0; k < 3; k++) {
        const clgan_setting_info *in = clgan_setting_find(kinds[k], "model");
        int presets = 0, choices = 1;
        for (const char *p = preset_names[k]; (p = strchr(p, '(')); p++) presets++;
        for (const char *p = in ? in->choices : ""; *p; p++) choices += *p == '|';
        if (presets != choices) unknown++, printf("  %d presets, %d choices\n", presets, choices);
        for (const char *p = in ? in->choices : ""; *p;) {
            size_t n = strcspn(p, "|");
            char word[32];
            snprintf(word, sizeof word, "%.*s (", (int)n, p);
            if (!strstr(preset_names[k], word)) unknown++, printf("  %s is no preset of %s\n", word, preset_names[k]);
            p += p[n] ? n + 1 : n;
        }
    }
    EXPECT(!unknown, "the model settings' choices are the presets the trainers know");
    EXPECT(clgan_setting_count((clgan_model_kind)0) == 0 && !clgan_setting_at((clgan_model_kind)9, 0),
           "an unknown kind has no settings");
    clgan_model_kind kk;
    EXPECT(clgan_model_kind_parse("ssl", &kk) == CLGAN_OK && kk == CLGAN_MODEL_SSL &&
               !strcmp(clgan_model_kind_name(CLGAN_MODEL_DFEATURES), "dfeatures") && !clgan_model_kind_name(0),
           "kind names");
    EXPECT(clgan_model_kind_parse("gans", &kk) == CLGAN_ERR_INVALID_ARG && has("'gans'") && has("classifier"),
           "an unknown kind name is refused, listing the kinds: %s", clgan_last_error());
}

/* ---- random valid values --------------------------------------------------- */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}
static double uniform(void) { return (double)(next() >> 11) / 9007199254740992.0; }

/* A random valid value of row r given the config so far (a GAN's classes follow conditional). */
static void random_value(const clgan_setting_row *r, const void *cfg, char *out, size_t cap)
{
    const clgan_setting_info *in = &r->info;
    double lo = in->min, hi = in->max;
    if (r->range) r->range(cfg, &lo, &hi);
    switch (in->type) {
    case CLGAN_SETTING_BOOL: snprintf(out, cap, "%d", (int)(next() & 1)); break;
    case CLGAN_SETTING_U64: snprintf(out, cap, "%llu", (unsigned long long)next()); break;
    case CLGAN_SETTING_INT: {
        /* small values mostly (they matter), the ends sometimes */
        uint64_t pick = next() % 4;
        double span = hi - lo, v = pick == 0 ? lo : pick == 1 ? hi : lo + floor(uniform() * fmin(span, 1000));
        snprintf(out, cap, "%.0f", v >= 9.2e18 ? 9223372036854775807.0 : v);
        if (v >= 9.2e18) snprintf(out, cap, "%lld", 9223372036854775807LL);
        break;
    }
    case CLGAN_SETTING_FLOAT: {
        double top = isinf(hi) ? lo + 100 : hi;
        double v = lo + uniform() * (top - lo);
        if (((in->open & CLGAN_SETTING_OPEN_MIN) && v <= lo) || ((in->open & CLGAN_SETTING_OPEN_MAX) && v >= hi))
            v = (lo + top) / 2;
        float f = (float)v;
        if ((in->open & CLGAN_SETTING_OPEN_MAX) && f >= hi) f = nextafterf((float)hi, 0);
        if ((in->open & CLGAN_SETTING_OPEN_MIN) && f <= lo) f = nextafterf((float)lo, INFINITY);
        snprintf(out, cap, "%.17g", (double)f);
        break;
    }
    case CLGAN_SETTING_CHOICE: {
        int count = 1;
        for (const char *p = in->choices; *p; p++) count += *p == '|';
        int k = (int)(next() % (uint64_t)count);
        const char *p = in->choices;
        while (k-- > 0) p = strchr(p, '|') + 1;
        snprintf(out, cap, "%.*s", (int)strcspn(p, "|"), p);
        break;
    }
    case CLGAN_SETTING_FLAGS: {
        /* a random subset of the words after the first, in random order; the first word when empty */
        const char *words[16];
        int count = 0;
        for (const char *p = strchr(in->choices, '|'); p && count < 16; p = strchr(p + 1, '|')) words[count++] = p + 1;
        for (int i = count - 1; i > 0; i--) {
            int j = (int)(next() % (uint64_t)(i + 1));
            const char *t = words[i];
            words[i] = words[j], words[j] = t;
        }
        size_t at = 0;
        out[0] = '\0';
        for (int i = 0; i < count; i++)
            if (next() & 1)
                at += (size_t)snprintf(out + at, cap - at, "%s%.*s", at ? "," : "", (int)strcspn(words[i], "|"), words[i]);
        if (!at) snprintf(out, cap, "%.*s", (int)strcspn(in->choices, "|"), in->choices);
        break;
    }
    }
}

/* The derived (hidden) values of src into dst: a trainer sets those, not the user's text. */
static void copy_hidden(const clgan_setting_row *rows, int n, char *dst, const char *src)
{
    for (int i = 0; i < n; i++)
        if (rows[i].flags & CLGAN_ROW_HIDDEN) memcpy(dst + rows[i].offset, src + rows[i].offset, rows[i].size);
}

static void test_round_trip(void)
{
    for (int k = 0; k < KINDS; k++) {
        clgan_model_kind kind = kinds[k];
        const char *kn = clgan_model_kind_name(kind);
        int n, failed = 0;
        const clgan_setting_row *rows = clgan_settings_rows(kind, &n);
        for (int trial = 0; trial < 200 && !failed; trial++) {
            char a[CFG_CAP], b[CFG_CAP], text[4096] = "", t1[4096], t2[4096], v[96];
            memset(a, 0, sizeof a), memset(b, 0, sizeof b);
            clgan_settings_defaults(kind, a);
            clgan_settings_defaults(kind, b);
            /* build the text in table order (so a dependent range sees its setting), written in
               random order with random white space */
            char words[64][128];
            int nw = 0;
            for (int i = 0; i < n; i++) {
                if (rows[i].flags & CLGAN_ROW_HIDDEN) { /* derived values: stored directly, as a trainer would */
                    random_value(&rows[i], a, v, sizeof v);
                    if (rows[i].field == CLGAN_FIELD_INT) *(int *)(a + rows[i].offset) = atoi(v);
                    if (rows[i].field == CLGAN_FIELD_I64) *(int64_t *)(a + rows[i].offset) = strtoll(v, NULL, 10);
                    continue;
                }
                random_value(&rows[i], a, v, sizeof v);
                snprintf(words[nw++], sizeof words[0], "%s=%s", rows[i].info.name, v);
                char one[128];
                snprintf(one, sizeof one, "%s=%s", rows[i].info.name, v);
                if (clgan_settings_parse(kind, "settings", one, a) != CLGAN_OK)
                    printf("  %s: %s\n", one, clgan_last_error()), failed++;
            }
            for (int i = nw - 1; i > 0; i--) { /* shuffle */
                int j = (int)(next() % (uint64_t)(i + 1));
                char tmp[128];
                memcpy(tmp, words[i], sizeof tmp), memcpy(words[i], words[j], sizeof tmp), memcpy(words[j], tmp, sizeof tmp);
            }
            static const char *const seps[] = {" ", "\n", "  \t", "\r\n"};
            for (int i = 0; i < nw; i++) {
                strcat(text, seps[next() % 4]);
                strcat(text, words[i]);
            }
            /* the whole text at once gives the same config as the settings one by one, except that
               a GAN's classes (checked against conditional) must come after it: parse does that */
            char c[CFG_CAP];
            memset(c, 0, sizeof c);
            clgan_settings_defaults(kind, c);
            copy_hidden(rows, n, c, a);
            if (clgan_settings_parse(kind, "settings", text, c) != CLGAN_OK)
                printf("  '%s': %s\n", text, clgan_last_error()), failed++;
            else if (memcmp(a, c, clgan_settings_config_size(kind))) printf("  text != one by one: %s\n", text), failed++;
            /* written and read back (the checkpoint path: every section), then written again: the same */
            clgan_settings_write(kind, CLGAN_SECTION_ALL, a, t1, sizeof t1);
            if (clgan_settings_read(kind, CLGAN_SECTION_ALL, "x.ckpt", t1, b) != CLGAN_OK) {
                /* an automatic 0 is not valid in a checkpoint: the trainers resolve it first */
                int zero_auto = 0;
                for (int i = 0; i < n; i++)
                    if ((rows[i].flags & CLGAN_ROW_ZERO_AUTO) && !(rows[i].flags & CLGAN_ROW_HIDDEN)) {
                        clgan_settings_format(&rows[i], a, v, sizeof v);
                        zero_auto |= !strcmp(v, "0");
                    }
                if (!zero_auto) printf("  read '%s': %s\n", t1, clgan_last_error()), failed++;
                continue;
            }
            clgan_settings_write(kind, CLGAN_SECTION_ALL, b, t2, sizeof t2);
            if (strcmp(t1, t2) || memcmp(a, b, clgan_settings_config_size(kind)))
                printf("  round trip changed:\n  %s\n  %s\n", t1, t2), failed++;
            /* parse of the written text (user path) gives the same config too */
            memset(c, 0, sizeof c);
            clgan_settings_defaults(kind, c);
            copy_hidden(rows, n, c, a);
            char pub[4096] = "";
            for (int i = 0; i < n; i++) {
                if (rows[i].flags & CLGAN_ROW_HIDDEN) continue;
                clgan_settings_format(&rows[i], a, v, sizeof v);
                snprintf(pub + strlen(pub), sizeof pub - strlen(pub), " %s=%s", rows[i].info.name, v);
            }
            if (clgan_settings_parse(kind, "settings", pub, c) != CLGAN_OK || memcmp(a, c, clgan_settings_config_size(kind)))
                printf("  parse of written '%s': %s\n", pub, clgan_last_error()), failed++;
        }
        EXPECT(!failed, "%s: 200 random configs round-trip exactly (parse, write, read, write)", kn);
    }
}

/* ---- bad input ------------------------------------------------------------- */
static int refused(clgan_model_kind kind, const char *text, const char *want1, const char *want2)
{
    char cfg[CFG_CAP];
    memset(cfg, 0, sizeof cfg);
    clgan_settings_defaults(kind, cfg);
    clgan_status st = clgan_settings_parse(kind, "settings", text, cfg);
    int ok = st == CLGAN_ERR_INVALID_ARG && has("settings: ") && has(want1) && (!want2 || has(want2));
    if (!ok) printf("  '%s' -> %s: %s\n", text, clgan_status_name(st), clgan_last_error());
    return ok;
}

static void test_bad_values(void)
{
    for (int k = 0; k < KINDS; k++) {
        clgan_model_kind kind = kinds[k];
        const char *kn = clgan_model_kind_name(kind);
        int bad = 0, tried = 0;
        for (int i = 0; i < clgan_setting_count(kind); i++) {
            const clgan_setting_info *in = clgan_setting_at(kind, i);
            const clgan_setting_row *r = clgan_settings_row(kind, in->name);
            char text[256], value[64], quoted[80];
            const char *nan_words[] = {"abc", "8x", "", "1e", "0x10", "nan", "inf"};
            for (size_t j = 0; j < sizeof nan_words / sizeof nan_words[0]; j++) {
                if (in->type == CLGAN_SETTING_CHOICE || in->type == CLGAN_SETTING_FLAGS) break;
                snprintf(text, sizeof text, "%s=%s", in->name, nan_words[j]);
                snprintf(quoted, sizeof quoted, "'%s' is '%s'", in->name, nan_words[j]);
                tried++, bad += !refused(kind, text, quoted, "not ");
            }
            if (in->type == CLGAN_SETTING_INT || in->type == CLGAN_SETTING_BOOL) {
                double lo = in->min, hi = in->max;
                char dflt[CFG_CAP];
                clgan_settings_defaults(kind, dflt);
                if (r->range) r->range(dflt, &lo, &hi); /* e.g. a GAN's classes, unconditional by default: 0 only */
                const double outside[] = {lo - 1, hi + 1};
                for (int j = 0; j < 2; j++) {
                    if (outside[j] > 9.2e18) snprintf(value, sizeof value, "9223372036854775808");
                    else snprintf(value, sizeof value, "%.0f", outside[j]);
                    if (!strcmp(value, "0") && (r->flags & CLGAN_ROW_ZERO_AUTO)) continue; /* 0: automatic */
                    snprintf(text, sizeof text, "%s=%s", in->name, value);
                    snprintf(quoted, sizeof quoted, "'%s' is %s", in->name, value);
                    tried++, bad += !refused(kind, text, quoted, "outside the allowed range");
                }
            }
            if (in->type == CLGAN_SETTING_FLOAT) {
                const double outside[] = {in->min - 0.5, in->min, isinf(in->max) ? 1e39 : in->max,
                                          isinf(in->max) ? -1e39 : in->max + 0.5};
                for (int j = 0; j < 4; j++) {
                    int at_end = (j == 1 && !(in->open & CLGAN_SETTING_OPEN_MIN)) ||
                                 (j == 2 && !isinf(in->max) && !(in->open & CLGAN_SETTING_OPEN_MAX));
                    if (at_end || (outside[j] == 0 && (r->flags & CLGAN_ROW_ZERO_AUTO))) continue; /* allowed */
                    snprintf(value, sizeof value, "%g", outside[j]);
                    snprintf(text, sizeof text, "%s=%s", in->name, value);
                    snprintf(quoted, sizeof quoted, "'%s' is %s", in->name, value);
                    tried++, bad += !refused(kind, text, quoted, "it must be");
                }
            }
            if (in->type == CLGAN_SETTING_CHOICE || in->type == CLGAN_SETTING_FLAGS) {
                snprintf(text, sizeof text, "%s=nope", in->name);
                snprintf(quoted, sizeof quoted, "'%s' is 'nope'; expected ", in->name);
                char first[32];
                snprintf(first, sizeof first, "%.*s", (int)strcspn(in->choices, "|"), in->choices);
                tried++, bad += !refused(kind, text, quoted, first);
            }
            if (in->type == CLGAN_SETTING_U64) {
                snprintf(text, sizeof text, "%s=18446744073709551616", in->name);
                tried++, bad += !refused(kind, text, "not a whole number from 0 to 2^64-1", NULL);
                snprintf(text, sizeof text, "%s=-1", in->name);
                tried++, bad += !refused(kind, text, "'-1', not a whole number", NULL);
            }
            snprintf(text, sizeof text, "%s=%s %s=%s", in->name, in->default_value, in->name, in->default_value);
            snprintf(quoted, sizeof quoted, "'%s' is given twice", in->name);
            tried++, bad += !refused(kind, text, quoted, NULL);
        }
        tried++, bad += !refused(kind, "batch=8 bogus_name=1", "unknown setting 'bogus_name'", "seed");
        tried++, bad += !refused(kind, "seed", "'seed' is not a name=value pair", NULL);
        tried++, bad += !refused(kind, "=3", "unknown setting ''", NULL);
        EXPECT(!bad && tried > 20, "%s: %d bad settings texts refused, each naming the setting, value and range (%d not)",
               kn, tried, bad);
    }
    /* the settings only a checkpoint holds are not settings */
    EXPECT(refused(CLGAN_MODEL_DFEATURES, "steps=5", "unknown setting 'steps'", NULL) &&
               refused(CLGAN_MODEL_DFEATURES, "features=5", "unknown setting 'features'", NULL),
           "dfeatures: derived values (steps, features) cannot be set");
    /* a dependent range: a conditional GAN needs 2 or more classes, an unconditional one none */
    EXPECT(refused(CLGAN_MODEL_GAN, "classes=10", "'classes' is 10, outside the allowed range 0 to 0", NULL) &&
               refused(CLGAN_MODEL_GAN, "classes=1 conditional=1", "'classes' is 1, outside the allowed range 2 to 65536",
                       NULL),
           "gan: classes checked against conditional, whatever the order");
    clgan_gan_config g = clgan_gan_default_config();
    EXPECT(clgan_settings_parse(CLGAN_MODEL_GAN, "settings", "classes=10\nconditional=1 width=0", &g) == CLGAN_OK &&
               g.arch.classes == 10 && g.arch.conditional == 1 && g.arch.width == 0,
           "gan: classes after conditional in table order; width 0 means the preset's: %s", clgan_last_error());
    EXPECT(clgan_settings_parse(CLGAN_MODEL_GAN, "settings", NULL, &g) == CLGAN_OK &&
               clgan_settings_parse(CLGAN_MODEL_GAN, "settings", " \n ", &g) == CLGAN_OK,
           "no settings text (NULL or blank) changes nothing");
    /* in a checkpoint, 0 is not automatic and a missing setting is named */
    clgan_classifier_config c = clgan_classifier_default_config();
    EXPECT(clgan_settings_read(CLGAN_MODEL_CLASSIFIER, CLGAN_SECTION_ARCH, "a.ckpt", "model=lenet28 width=0 classes=3",
                               &c) == CLGAN_ERR_FORMAT &&
               has("checkpoint a.ckpt: setting 'width' is 0, outside the allowed range 1 to 2048"),
           "checkpoint: width 0 refused: %s", clgan_last_error());
    EXPECT(clgan_settings_read(CLGAN_MODEL_CLASSIFIER, CLGAN_SECTION_ARCH, "a.ckpt", "model=lenet28 classes=3", &c) ==
                   CLGAN_ERR_FORMAT &&
               has("checkpoint a.ckpt: setting 'width' is missing"),
           "checkpoint: a missing setting is named: %s", clgan_last_error());
}

/* ---- files of the previous release ----------------------------------------- */
static void test_release_sections(void)
{
    /* the config sections clgan 0.1.0 wrote for small runs of each command */
    const char *gan_arch = "model=dcgan28 width=4 nz=8 conditional=1 classes=10 mbstd=1";
    const char *gan_cfg = "batch=4 loss=ls label_smoothing=0.100000001 seed=1 lr_g=0.000300000014 beta1_g=0.5 "
                          "beta2_g=0.999000013 eps_g=9.99999994e-09 lr_d=0.000300000014 beta1_d=0.5 "
                          "beta2_d=0.999000013 eps_d=9.99999994e-09";
    const char *clf_arch = "model=lenet28 width=4 classes=10";
    const char *clf_cfg = "batch=4 optimizer=sgd lr=0.00999999978 momentum=0.899999976 beta1=0.899999976 "
                          "beta2=0.999000013 eps=9.99999994e-09 weight_decay=0 lr_decay=0.5 lr_decay_steps=500 "
                          "augment=0 seed=1";
    const char *ssl_cfg = "model=ssl28 width=4 nz=100 classes=10 batch=4 unlabelled_weight=1 seed=1 lr_d=0.00200000009 "
                          "beta1_d=0.5 beta2_d=0.999000013 eps_d=9.99999994e-09 lr_g=0.00200000009 beta1_g=0.5 "
                          "beta2_g=0.999000013 eps_g=9.99999994e-09 decay_start=0 decay_end=0 augment=0";
    const char *ssl_old = "model=ssl28 width=4 nz=100 classes=10 batch=4 unlabelled_weight=1 seed=1 lr_d=0.00200000009 "
                          "beta1_d=0.5 beta2_d=0.999000013 eps_d=9.99999994e-09 lr_g=0.00200000009 beta1_g=0.5 "
                          "beta2_g=0.999000013 eps_g=9.99999994e-09";
    const char *dh_cfg = "c=1 h=28 w=28 pool=7 cond_label=0 features=48 classes=10 hidden=5 batch=8 epochs=2 "
                         "lr=0.00100000005 weight_decay=0 seed=1 steps=500";
    char t[2048];

    clgan_gan_config g = clgan_gan_default_config();
    MUST(clgan_settings_read(CLGAN_MODEL_GAN, CLGAN_SECTION_ARCH, "gan.ckpt", gan_arch, &g));
    MUST(clgan_settings_read(CLGAN_MODEL_GAN, CLGAN_SECTION_CONFIG, "gan.ckpt", gan_cfg, &g));
    EXPECT(g.arch.width == 4 && g.arch.nz == 8 && g.arch.conditional == 1 && g.arch.classes == 10 && g.arch.mbstd == 1 &&
               g.batch == 4 && g.loss == CLGAN_GAN_LOSS_LS && g.label_smoothing == 0.1f && g.adam_g.lr == 3e-4f &&
               g.adam_d.beta2 == 0.999f && g.adam_d.eps == 1e-8f,
           "gan: the release's sections read into the same config");
    EXPECT(g.arch.diffaug == 0, "gan: a file from before diffaugment reads with none");
    clgan_settings_write(CLGAN_MODEL_GAN, CLGAN_SECTION_ARCH, &g, t, sizeof t);
    EXPECT(!strncmp(t, gan_arch, strlen(gan_arch)) && !strcmp(t + strlen(gan_arch), " diffaugment=none spectral_norm=0"),
           "gan: arch section written as the release wrote it, then diffaugment and spectral_norm: %s", t);
    EXPECT(g.arch.spectral_norm == 0, "gan: a file from before spectral_norm reads with it off");
    clgan_settings_write(CLGAN_MODEL_GAN, CLGAN_SECTION_CONFIG, &g, t, sizeof t);
    size_t len = strlen(gan_cfg);
    EXPECT(!strncmp(t, gan_cfg, len) && !strcmp(t + len, " g_ema=0"),
           "gan: config section written as the release wrote it, then the newer g_ema at its default: %s", t);

    clgan_classifier_config c = clgan_classifier_default_config();
    MUST(clgan_settings_read(CLGAN_MODEL_CLASSIFIER, CLGAN_SECTION_ARCH, "c.ckpt", clf_arch, &c));
    MUST(clgan_settings_read(CLGAN_MODEL_CLASSIFIER, CLGAN_SECTION_CONFIG, "c.ckpt", clf_cfg, &c));
    EXPECT(c.arch.width == 4 && c.arch.classes == 10 && c.optimizer == CLGAN_CLASSIFIER_SGD && c.lr == 0.01f &&
               c.momentum == 0.9f && c.lr_decay == 0.5f && c.lr_decay_steps == 500 && c.augment == 0,
           "classifier: the release's sections read into the same config");
    clgan_settings_write(CLGAN_MODEL_CLASSIFIER, CLGAN_SECTION_CONFIG, &c, t, sizeof t);
    EXPECT(!strcmp(t, clf_cfg), "classifier: config section written as the release wrote it: %s", t);

    clgan_ssl_config s = clgan_ssl_default_config();
    MUST(clgan_settings_read(CLGAN_MODEL_SSL, CLGAN_SECTION_ALL, "s.ckpt", ssl_cfg, &s));
    EXPECT(s.width == 4 && s.nz == 100 && s.batch == 4 && s.adam_d.lr == 2e-3f && s.decay_end == 0,
           "ssl: the release's section reads into the same config");
    clgan_settings_write(CLGAN_MODEL_SSL, CLGAN_SECTION_ALL, &s, t, sizeof t);
    EXPECT(!strncmp(t, ssl_cfg, strlen(ssl_cfg)) && !strcmp(t + strlen(ssl_cfg), " diffaugment=none spectral_norm=0"),
           "ssl: section written as the release wrote it, then diffaugment and spectral_norm: %s", t);
    s = clgan_ssl_default_config();
    s.augment = 1, s.decay_end = 7;
    clgan_ssl_config dflt = clgan_ssl_default_config();
    EXPECT(clgan_settings_read(CLGAN_MODEL_SSL, CLGAN_SECTION_ALL, "s.ckpt", ssl_old, &dflt) == CLGAN_OK &&
               dflt.decay_start == 0 && dflt.decay_end == 0 && dflt.augment == 0,
           "ssl: a file from before decay, augmentation and spectral_norm reads with their defaults: %s",
           clgan_last_error());

    clgan_dhead_file d;
    clgan_settings_defaults(CLGAN_MODEL_DFEATURES, &d);
    MUST(clgan_settings_read(CLGAN_MODEL_DFEATURES, CLGAN_SECTION_ALL, "d.ckpt", dh_cfg, &d));
    EXPECT(d.c == 1 && d.h == 28 && d.feat.pool == 7 && d.head.features == 48 && d.head.hidden == 5 &&
               d.head.epochs == 2 && d.steps == 500 && d.head.lr == 1e-3f,
           "dfeatures: the release's section reads into the same config");
    clgan_settings_write(CLGAN_MODEL_DFEATURES, CLGAN_SECTION_ALL, &d, t, sizeof t);
    EXPECT(!strcmp(t, dh_cfg), "dfeatures: section written as the release wrote it: %s", t);
}

/* A set of words (diffaugment): any order, written in table order; none alone; each word once. */
static void test_flags(void)
{
    clgan_gan_config a = clgan_gan_default_config(), b = a;
    char t[64];
    const clgan_setting_row *r = clgan_settings_row(CLGAN_MODEL_GAN, "diffaugment");
    MUST(clgan_settings_parse(CLGAN_MODEL_GAN, "settings", "diffaugment=cutout,translation", &a));
    MUST(clgan_settings_parse(CLGAN_MODEL_GAN, "settings", "diffaugment=translation,cutout", &b));
    clgan_settings_format(r, &a, t, sizeof t);
    EXPECT(a.arch.diffaug == 6 && b.arch.diffaug == 6 && !strcmp(t, "translation,cutout"),
           "flags: either order gives the same bits (%d, %d), written in table order: %s", a.arch.diffaug,
           b.arch.diffaug, t);
    MUST(clgan_settings_parse(CLGAN_MODEL_GAN, "settings", "diffaugment=cutout,color,translation", &a));
    clgan_settings_format(r, &a, t, sizeof t);
    EXPECT(a.arch.diffaug == 7 && !strcmp(t, "color,translation,cutout"), "flags: all three (%d): %s", a.arch.diffaug, t);
    MUST(clgan_settings_parse(CLGAN_MODEL_GAN, "settings", "diffaugment=none", &a));
    clgan_settings_format(r, &a, t, sizeof t);
    EXPECT(a.arch.diffaug == 0 && !strcmp(t, "none"), "flags: none is the empty set: %s", t);
    EXPECT(clgan_settings_first_change(CLGAN_MODEL_GAN, CLGAN_RESUME_FIXED, &a, &b) == r,
           "flags: a changed set is a fixed change");
    static const char *const bad[] = {"diffaugment=none,color", "diffaugment=color,color", "diffaugment=color,",
                                      "diffaugment=,cutout", "diffaugment=zoom", "diffaugment=Color"};
    int wrong = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clgan_status st = clgan_settings_parse(CLGAN_MODEL_GAN, "settings", bad[i], &a);
        if (st != CLGAN_ERR_INVALID_ARG || !has("expected none, or any of color, translation or cutout separated by "
                                                "commas (each once)"))
            wrong++, printf("  '%s' -> %s: %s\n", bad[i], clgan_status_name(st), clgan_last_error());
    }
    EXPECT(!wrong, "flags: a word twice, none with others, an empty or unknown word refused (%d wrong)", wrong);
}

static void test_resume_check(void)
{
    clgan_gan_config have = clgan_gan_default_config(), want = have;
    have.arch.width = 32; /* resolved in the checkpoint */
    EXPECT(!clgan_settings_first_change(CLGAN_MODEL_GAN, CLGAN_RESUME_FIXED, &want, &have),
           "resume: width 0 (the preset's) matches the checkpoint's resolved width");
    want.arch.width = 16;
    const clgan_setting_row *r = clgan_settings_first_change(CLGAN_MODEL_GAN, CLGAN_RESUME_FIXED, &want, &have);
    EXPECT(r && !strcmp(r->info.name, "width"), "resume: a changed width is the first fixed change");
    want = have, want.batch = 32, want.adam_d.lr = 1e-3f;
    r = clgan_settings_first_change(CLGAN_MODEL_GAN, CLGAN_RESUME_FIXED, &want, &have);
    EXPECT(r && !strcmp(r->info.name, "batch"), "resume: a changed batch is a fixed change");
    r = clgan_settings_first_change(CLGAN_MODEL_GAN, CLGAN_RESUME_KEPT, &want, &have);
    EXPECT(r && !strcmp(r->info.name, "lr_d"), "resume: a changed lr_d is a kept (ignored) change");
    want = have, want.adam_g.lr = nextafterf(have.adam_g.lr, 1);
    r = clgan_settings_first_change(CLGAN_MODEL_GAN, CLGAN_RESUME_KEPT, &want, &have);
    EXPECT(r && !strcmp(r->info.name, "lr_g"), "resume: floats compared exactly (one ulp differs)");
    /* the architecture knobs are fixed, the training knobs kept, in every kind */
    static const char *const fixed[] = {"model", "width", "nz", "conditional", "classes", "mbstd", "diffaugment",
                                        "spectral_norm", "batch", "hidden", "pool"};
    static const char *const kept[] = {"lr", "lr_g", "lr_d", "beta1_g", "loss", "label_smoothing", "g_ema", "seed",
                                       "augment", "lr_decay", "decay_start", "unlabelled_weight", "optimizer",
                                       "epochs"};
    int wrong = 0;
    for (int k = 0; k < KINDS; k++) {
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
            const clgan_setting_info *in = clgan_setting_find(kinds[k], fixed[i]);
            if (in && in->resume != CLGAN_RESUME_FIXED) wrong++, printf("  %s not fixed\n", in->name);
        }
        for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
            const clgan_setting_info *in = clgan_setting_find(kinds[k], kept[i]);
            if (in && in->resume != CLGAN_RESUME_KEPT) wrong++, printf("  %s not kept\n", in->name);
        }
    }
    EXPECT(!wrong, "resume classes: architecture and batch fixed, training settings kept (%d wrong)", wrong);
}

int main(void)
{
    test_tables();
    test_round_trip();
    test_bad_values();
    test_release_sections();
    test_flags();
    test_resume_check();
    return test_finish();
}
