/* arch.c — the architecture text parser: sections and key = value lines,
 * integer expressions over the declared variables, every layer's keys
 * checked against its kind, then the shapes checked layer by layer with
 * clgan_net_specs_summary. Also the summary table. Format: docs/ARCHITECTURES.md. */
#include "models/arch.h"

#include "core/error.h"
#include "data/dataset.h"
#include "nn/diffaug.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_CAP 1024

/* ---- keys and sections ---------------------------------------------------- */

typedef enum key_id {
    K_UNITS, K_FILTERS, K_SIZE, K_STRIDE, K_PAD, K_OUT_PAD, K_BIAS, K_INIT, K_INIT_STD, K_WEIGHT_NORM,
    K_SPECTRAL_NORM, K_FUNCTION, K_SLOPE, K_P, K_STDDEV, K_C, K_H, K_W, K_CLASSES, K_POLICY, KEY_COUNT
} key_id;

typedef enum key_type { T_INT, T_FLOAT, T_WORD } key_type;

static const struct {
    const char *name;
    key_type type;
    long lo, hi;        /* T_INT range */
    double flo, fhi;    /* T_FLOAT range [flo, fhi) */
    const char *expect; /* what a value must be, for messages */
} keys[KEY_COUNT] = {
    [K_UNITS] = {"units", T_INT, 1, INT_MAX, 0, 0, "a positive integer"},
    [K_FILTERS] = {"filters", T_INT, 1, INT_MAX, 0, 0, "a positive integer"},
    [K_SIZE] = {"size", T_INT, 1, 4096, 0, 0, "an integer from 1 to 4096"},
    [K_STRIDE] = {"stride", T_INT, 1, 4096, 0, 0, "an integer from 1 to 4096"},
    [K_PAD] = {"pad", T_INT, 0, 4096, 0, 0, "an integer from 0 to 4096"},
    [K_OUT_PAD] = {"out_pad", T_INT, 0, 4096, 0, 0, "an integer from 0 to 4096"},
    [K_BIAS] = {"bias", T_INT, 0, 1, 0, 0, "0 or 1"},
    [K_INIT] = {"init", T_WORD, 0, 0, 0, 0, "normal, xavier or he"},
    [K_INIT_STD] = {"init_std", T_FLOAT, 0, 0, 1e-30, 1e30, "a positive number"},
    [K_WEIGHT_NORM] = {"weight_norm", T_INT, 0, 2, 0, 0, "0 (plain), 1 (scales fixed) or 2 (scales trained)"},
    [K_SPECTRAL_NORM] = {"spectral_norm", T_INT, 0, 1, 0, 0, "0 (plain) or 1 (spectral-normalised)"},
    [K_FUNCTION] = {"function", T_WORD, 0, 0, 0, 0, "relu, leaky_relu, tanh or sigmoid"},
    [K_SLOPE] = {"slope", T_FLOAT, 0, 0, 0, 1e30, "a number >= 0"},
    [K_P] = {"p", T_FLOAT, 0, 0, 0, 1, "a probability in [0, 1)"},
    [K_STDDEV] = {"stddev", T_FLOAT, 0, 0, 0, 1e30, "a number >= 0"},
    [K_C] = {"c", T_INT, 1, INT_MAX, 0, 0, "a positive integer"},
    [K_H] = {"h", T_INT, 1, INT_MAX, 0, 0, "a positive integer"},
    [K_W] = {"w", T_INT, 1, INT_MAX, 0, 0, "a positive integer"},
    [K_CLASSES] = {"classes", T_INT, 1, INT_MAX, 0, 0, "a positive integer"},
    [K_POLICY] = {"policy", T_WORD, 0, 0, 0, 0, "color, translation and/or cutout, separated by commas"},
};

#define B(k) (1u << (k))
#define WEIGHTS (B(K_BIAS) | B(K_INIT) | B(K_INIT_STD))

typedef enum section_id { S_NET = -4, S_VARS = -3, S_INPUT = -2, S_FEATURES = -1 } section_id;

/* Layer sections: the kind each builds, the keys it takes and those it needs. */
static const struct {
    const char *name;
    clgan_layer_kind kind;
    unsigned allowed, required;
} layers[] = {
    {"dense", CLGAN_LAYER_DENSE, B(K_UNITS) | WEIGHTS | B(K_WEIGHT_NORM) | B(K_SPECTRAL_NORM), B(K_UNITS)},
    {"conv", CLGAN_LAYER_CONV2D, B(K_FILTERS) | B(K_SIZE) | B(K_STRIDE) | B(K_PAD) | WEIGHTS | B(K_SPECTRAL_NORM),
     B(K_FILTERS) | B(K_SIZE)},
    {"conv_transpose", CLGAN_LAYER_CONV_TRANSPOSE,
     B(K_FILTERS) | B(K_SIZE) | B(K_STRIDE) | B(K_PAD) | B(K_OUT_PAD) | WEIGHTS, B(K_FILTERS) | B(K_SIZE)},
    {"batchnorm", CLGAN_LAYER_BATCHNORM, 0, 0},
    {"activation", CLGAN_LAYER_ACTIVATION, B(K_FUNCTION) | B(K_SLOPE), B(K_FUNCTION)},
    {"dropout", CLGAN_LAYER_DROPOUT, B(K_P), B(K_P)},
    {"maxpool", CLGAN_LAYER_MAXPOOL, B(K_SIZE) | B(K_STRIDE), B(K_SIZE)},
    {"avgpool", CLGAN_LAYER_AVGPOOL, B(K_SIZE) | B(K_STRIDE), B(K_SIZE)},
    {"reshape", CLGAN_LAYER_RESHAPE, B(K_C) | B(K_H) | B(K_W), B(K_C) | B(K_H) | B(K_W)},
    {"concat_labels", CLGAN_LAYER_CONCAT_LABELS, B(K_CLASSES), B(K_CLASSES)},
    {"mbstd", CLGAN_LAYER_MBSTD, 0, 0},
    {"gaussian_noise", CLGAN_LAYER_GAUSSIAN_NOISE, B(K_STDDEV), B(K_STDDEV)},
    {"diffaugment", CLGAN_LAYER_DIFFAUGMENT, B(K_POLICY), B(K_POLICY)},
};
#define LAYER_SECTIONS (int)(sizeof layers / sizeof layers[0])
#define SECTION_LIST "net, vars, input, features, dense, conv, conv_transpose, batchnorm, activation, dropout, " \
                     "maxpool, avgpool, reshape, concat_labels, mbstd, gaussian_noise, diffaugment"

static const char *const init_names[] = {"normal", "xavier", "he"};
static const char *const act_names[] = {"relu", "leaky_relu", "tanh", "sigmoid"};

/* ---- the parse state ------------------------------------------------------- */

typedef struct parser {
    clgan_arch *a;
    const clgan_arch_var *over;
    int n_over;
    int line;
    int section;         /* section_id or an index into layers[] */
    int section_line;
    unsigned seen;       /* keys given in the current section */
    clgan_layer_spec s;  /* the layer being read */
    int seen_input, seen_vars, seen_layers;
} parser;

static clgan_status fail_at(const parser *p, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static clgan_status fail_at(const parser *p, int line, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: %s", p->a->source, line, msg);
}

static const char *section_name(int section)
{
    switch (section) {
    case S_NET: return "net";
    case S_VARS: return "vars";
    case S_INPUT: return "input";
    case S_FEATURES: return "features";
    default: return layers[section].name;
    }
}

static int find_var(const clgan_arch *a, const char *name, size_t len)
{
    for (int i = 0; i < a->n_vars; i++)
        if (strlen(a->var_names[i]) == len && !strncmp(a->var_names[i], name, len)) return i;
    return -1;
}

/* ---- integer expressions ---------------------------------------------------- */

typedef struct expr {
    const parser *p;
    const char *s, *at;
    const char *key;
    clgan_status st;
} expr;

#define EXPR_LIMIT ((long long)1 << 40) /* |value| bound inside an expression: no overflow in * */

static void skip_space(expr *e)
{
    while (*e->at == ' ' || *e->at == '\t') e->at++;
}

static long long expr_error(expr *e, const char *what)
{
    char esc[CLGAN_ESCAPE_CAP];
    if (e->st == CLGAN_OK)
        e->st = fail_at(e->p, e->p->line, "%s = %s: %s at offset %d", e->key, clgan_escape_str(e->s, esc, sizeof esc),
                        what, (int)(e->at - e->s) + 1);
    return 0;
}

static long long checked(expr *e, long long v)
{
    if (v > EXPR_LIMIT || v < -EXPR_LIMIT) return expr_error(e, "the value is too large");
    return v;
}

static long long parse_sum(expr *e);

static long long parse_atom(expr *e)
{
    skip_space(e);
    if (e->st != CLGAN_OK) return 0;
    if (*e->at == '(') {
        e->at++;
        long long v = parse_sum(e);
        skip_space(e);
        if (*e->at != ')') return expr_error(e, "expected ')'");
        e->at++;
        return v;
    }
    if (*e->at == '-') {
        e->at++;
        return -parse_atom(e);
    }
    if (isdigit((unsigned char)*e->at)) {
        long long v = 0;
        while (isdigit((unsigned char)*e->at)) {
            v = v * 10 + (*e->at++ - '0');
            if (v > EXPR_LIMIT) return expr_error(e, "the number is too large");
        }
        if (*e->at == '.' || *e->at == 'e' || *e->at == 'E') return expr_error(e, "expected an integer");
        return v;
    }
    if (isalpha((unsigned char)*e->at) || *e->at == '_') {
        const char *name = e->at;
        while (isalnum((unsigned char)*e->at) || *e->at == '_') e->at++;
        size_t len = (size_t)(e->at - name);
        skip_space(e);
        if (*e->at == '(' && len == 3 && (!strncmp(name, "min", 3) || !strncmp(name, "max", 3))) {
            e->at++;
            long long x = parse_sum(e);
            skip_space(e);
            if (*e->at != ',') return expr_error(e, "expected ',' between min/max arguments");
            e->at++;
            long long y = parse_sum(e);
            skip_space(e);
            if (*e->at != ')') return expr_error(e, "expected ')'");
            e->at++;
            return name[1] == 'i' ? (x < y ? x : y) : (x > y ? x : y);
        }
        int v = find_var(e->p->a, name, len);
        if (v < 0) {
            char msg[192], nm[40];
            snprintf(nm, sizeof nm, "%.*s", len < 32 ? (int)len : 32, name);
            snprintf(msg, sizeof msg, "unknown variable '%s' (declare it in [vars] above)", nm);
            e->at = name;
            return expr_error(e, msg);
        }
        return e->p->a->var_values[v];
    }
    return expr_error(e, *e->at ? "expected a number, a variable or '('" : "the value ends early");
}

static long long parse_product(expr *e)
{
    long long v = parse_atom(e);
    for (;;) {
        skip_space(e);
        char op = *e->at;
        if (e->st != CLGAN_OK || (op != '*' && op != '/' && op != '%')) return v;
        e->at++;
        long long r = parse_atom(e);
        if (e->st != CLGAN_OK) return 0;
        if (op == '*') {
            if (r != 0 && llabs(v) > EXPR_LIMIT / llabs(r)) return expr_error(e, "the value is too large");
            v = v * r;
        }
        else if (r == 0) return expr_error(e, "division by zero");
        else v = op == '/' ? v / r : v % r;
    }
}

static long long parse_sum(expr *e)
{
    long long v = parse_product(e);
    for (;;) {
        skip_space(e);
        char op = *e->at;
        if (e->st != CLGAN_OK || (op != '+' && op != '-')) return v;
        e->at++;
        long long r = parse_product(e);
        v = checked(e, op == '+' ? v + r : v - r);
    }
}

static clgan_status eval_int(const parser *p, const char *key, const char *value, long lo, long hi,
                             const char *expect, int *out)
{
    expr e = {p, value, value, key, CLGAN_OK};
    long long v = parse_sum(&e);
    skip_space(&e);
    if (e.st == CLGAN_OK && *e.at) expr_error(&e, "unexpected text");
    if (e.st != CLGAN_OK) return e.st;
    if (v < lo || v > hi) {
        char esc[CLGAN_ESCAPE_CAP];
        return fail_at(p, p->line, "%s = %s is %lld; expected %s", key, clgan_escape_str(value, esc, sizeof esc), v,
                       expect);
    }
    *out = (int)v;
    return CLGAN_OK;
}

static clgan_status eval_float(const parser *p, const char *key, const char *value, double lo, double hi,
                               const char *expect, float *out)
{
    char *end, esc[CLGAN_ESCAPE_CAP];
    float v = strtof(value, &end);
    if (end == value || *end || !(v >= lo && v < hi))
        return fail_at(p, p->line, "%s = %s: expected %s", key, clgan_escape_str(value, esc, sizeof esc), expect);
    *out = v;
    return CLGAN_OK;
}

static clgan_status eval_word(const parser *p, const char *key, const char *value, const char *const *names, int n,
                              const char *expect, int *out)
{
    char esc[CLGAN_ESCAPE_CAP];
    for (int i = 0; i < n; i++)
        if (!strcmp(value, names[i])) return *out = i, CLGAN_OK;
    return fail_at(p, p->line, "%s = %s: expected %s", key, clgan_escape_str(value, esc, sizeof esc), expect);
}

static char *trim(char *s);

/* A diffaugment policy: words of policy_names separated by commas (spaces around them
 * allowed), each at most once, into their CLGAN_DIFFAUG_* bits. */
static clgan_status eval_policy(const parser *p, const char *key, const char *value, unsigned *out)
{
    static const char *const policy_names[] = {"color", "translation", "cutout"};
    static const unsigned policy_bits[] = {CLGAN_DIFFAUG_COLOR, CLGAN_DIFFAUG_TRANSLATION, CLGAN_DIFFAUG_CUTOUT};
    char esc[CLGAN_ESCAPE_CAP], word[LINE_CAP];
    *out = 0;
    for (const char *at = value;; at++) {
        size_t n = strcspn(at, ",");
        snprintf(word, sizeof word, "%.*s", (int)n, at);
        int i = 0;
        TRY(eval_word(p, key, trim(word), policy_names, 3, keys[K_POLICY].expect, &i));
        if (*out & policy_bits[i])
            return fail_at(p, p->line, "%s = %s: '%s' given twice", key, clgan_escape_str(value, esc, sizeof esc),
                           policy_names[i]);
        *out |= policy_bits[i];
        at += n;
        if (!*at) return CLGAN_OK;
    }
}

/* ---- sections ------------------------------------------------------------- */

/* The layer section just read is complete: required keys, then append it. */
static clgan_status end_section(parser *p)
{
    clgan_arch *a = p->a;
    if (p->section == S_INPUT) {
        for (key_id k = K_C; k <= K_W; k++)
            if (!(p->seen & B(k)))
                return fail_at(p, p->section_line, "[input] needs '%s' (the input's %s)", keys[k].name,
                               k == K_C ? "channels" : k == K_H ? "height" : "width");
        return CLGAN_OK;
    }
    if (p->section < 0) return CLGAN_OK;
    unsigned missing = layers[p->section].required & ~p->seen;
    for (int k = 0; k < KEY_COUNT; k++)
        if (missing & B(k))
            return fail_at(p, p->section_line, "[%s] needs '%s' (%s)", layers[p->section].name, keys[k].name,
                           keys[k].expect);
    clgan_layer_spec *s = &p->s;
    if ((s->kind == CLGAN_LAYER_MAXPOOL || s->kind == CLGAN_LAYER_AVGPOOL) && !(p->seen & B(K_STRIDE)))
        s->stride = s->k;
    if (s->kind == CLGAN_LAYER_ACTIVATION) {
        if (s->act == CLGAN_ACT_LEAKY_RELU && !(p->seen & B(K_SLOPE))) s->slope = 0.2f;
        if (s->act != CLGAN_ACT_LEAKY_RELU && (p->seen & B(K_SLOPE)))
            return fail_at(p, p->section_line, "[activation]: 'slope' applies to function = leaky_relu only");
    }
    if (s->weight_norm && s->spectral_norm)
        return fail_at(p, p->section_line,
                       "[dense]: weight_norm and spectral_norm both rescale the weights; choose one");
    if (a->n >= CLGAN_ARCH_MAX_LAYERS)
        return fail_at(p, p->section_line, "too many layers (at most %d)", CLGAN_ARCH_MAX_LAYERS);
    a->lines[a->n] = p->section_line;
    a->specs[a->n++] = *s;
    return CLGAN_OK;
}

static clgan_status begin_section(parser *p, const char *name)
{
    char esc[CLGAN_ESCAPE_CAP];
    int section = -100;
    if (!strcmp(name, "net")) section = S_NET;
    else if (!strcmp(name, "vars")) section = S_VARS;
    else if (!strcmp(name, "input")) section = S_INPUT;
    else if (!strcmp(name, "features")) section = S_FEATURES;
    for (int i = 0; i < LAYER_SECTIONS; i++)
        if (!strcmp(name, layers[i].name)) section = i;
    if (section == -100)
        return fail_at(p, p->line, "unknown section [%s]; expected one of %s", clgan_escape_str(name, esc, sizeof esc),
                       SECTION_LIST);
    if (section == S_INPUT && p->seen_input) return fail_at(p, p->line, "a second [input] section");
    if (section == S_VARS && p->seen_vars) return fail_at(p, p->line, "a second [vars] section");
    if (section >= 0 && !p->seen_input)
        return fail_at(p, p->line, "[%s] before [input]: the input shape comes first", name);
    if (section == S_FEATURES) {
        if (p->a->n == 0) return fail_at(p, p->line, "[features] must follow a layer (it marks that layer's output)");
        if (p->a->feature_layer >= 0)
            return fail_at(p, p->line, "a second [features] (the first marks layer %d)", p->a->feature_layer);
        p->a->feature_layer = p->a->n - 1;
    }
    p->section = section;
    p->section_line = p->line;
    p->seen = 0;
    if (section == S_INPUT) p->seen_input = 1;
    if (section == S_VARS) p->seen_vars = 1;
    if (section >= 0) {
        /* The spec constructors' defaults: bias on, N(0, 0.02), stride 1. */
        switch (layers[section].kind) {
        case CLGAN_LAYER_DENSE: p->s = clgan_dense(0); break;
        case CLGAN_LAYER_CONV2D: p->s = clgan_conv(0, 0, 1, 0); break;
        case CLGAN_LAYER_CONV_TRANSPOSE: p->s = clgan_conv_t(0, 0, 1, 0, 0); break;
        case CLGAN_LAYER_BATCHNORM: p->s = clgan_bn(); break;
        case CLGAN_LAYER_ACTIVATION: p->s = clgan_activation(CLGAN_ACT_RELU, 0); break;
        case CLGAN_LAYER_DROPOUT: p->s = clgan_dropout(0); break;
        case CLGAN_LAYER_MAXPOOL: p->s = clgan_maxpool(0, 1); break;
        case CLGAN_LAYER_AVGPOOL: p->s = clgan_avgpool(0, 1); break;
        case CLGAN_LAYER_RESHAPE: p->s = clgan_reshape(0, 0, 0); break;
        case CLGAN_LAYER_CONCAT_LABELS: p->s = clgan_concat_labels(0); break;
        case CLGAN_LAYER_MBSTD: p->s = clgan_mbstd(); break;
        case CLGAN_LAYER_GAUSSIAN_NOISE: p->s = clgan_gaussian_noise(0); break;
        case CLGAN_LAYER_DIFFAUGMENT: p->s = clgan_diffaugment(0); break;
        case CLGAN_LAYER_KIND_COUNT: break; /* not a kind */
        }
        p->seen_layers++;
    }
    return CLGAN_OK;
}

static int valid_name(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_') return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return 0;
    return 1;
}

static clgan_status copy_word(const parser *p, const char *key, const char *value, char *out, size_t cap)
{
    char esc[CLGAN_ESCAPE_CAP];
    if (strlen(value) >= cap)
        return fail_at(p, p->line, "%s = %s: too long (at most %zu characters)", key,
                       clgan_escape_str(value, esc, sizeof esc), cap - 1);
    snprintf(out, cap, "%s", value);
    return CLGAN_OK;
}

static clgan_status net_key(parser *p, const char *key, const char *value)
{
    static const char *const modes[] = {"gan", "classifier", "ssl", "dfeatures", "detector"};
    static const char *const parts[] = {"g", "d", "c", "h"};
    char esc[CLGAN_ESCAPE_CAP];
    clgan_arch *a = p->a;
    int i;
    if (!strcmp(key, "name")) return copy_word(p, key, value, a->name, sizeof a->name);
    if (!strcmp(key, "summary")) return copy_word(p, key, value, a->summary, sizeof a->summary);
    if (!strcmp(key, "mode")) {
        TRY(eval_word(p, key, value, modes, 5, "gan, classifier, ssl, dfeatures or detector", &i));
        return copy_word(p, key, value, a->mode, sizeof a->mode);
    }
    if (!strcmp(key, "part")) {
        TRY(eval_word(p, key, value, parts, 4, "g (generator), d (discriminator), c (classifier) or h (head)", &i));
        return copy_word(p, key, value, a->part, sizeof a->part);
    }
    return fail_at(p, p->line, "unknown key '%s' in [net]; expected name, mode, part or summary",
                   clgan_escape_str(key, esc, sizeof esc));
}

static clgan_status var_key(parser *p, const char *key, const char *value)
{
    char esc[CLGAN_ESCAPE_CAP];
    clgan_arch *a = p->a;
    if (!valid_name(key) || strlen(key) >= sizeof a->var_names[0] || !strcmp(key, "min") || !strcmp(key, "max"))
        return fail_at(p, p->line, "'%s' is not a variable name (letters, digits and _, at most 31, not min or max)",
                       clgan_escape_str(key, esc, sizeof esc));
    if (find_var(a, key, strlen(key)) >= 0) return fail_at(p, p->line, "variable '%s' declared twice", key);
    if (a->n_vars >= CLGAN_ARCH_MAX_VARS)
        return fail_at(p, p->line, "too many variables (at most %d)", CLGAN_ARCH_MAX_VARS);
    int v;
    TRY(eval_int(p, key, value, INT_MIN, INT_MAX, "an integer", &v));
    for (int i = 0; i < p->n_over; i++)
        if (p->over[i].name && !strcmp(p->over[i].name, key)) v = p->over[i].value;
    snprintf(a->var_names[a->n_vars], sizeof a->var_names[0], "%s", key);
    a->var_values[a->n_vars++] = v;
    return CLGAN_OK;
}

static clgan_status layer_key(parser *p, const char *key, const char *value)
{
    char esc[CLGAN_ESCAPE_CAP];
    int k = 0;
    while (k < KEY_COUNT && strcmp(keys[k].name, key)) k++;
    unsigned allowed = p->section == S_INPUT ? B(K_C) | B(K_H) | B(K_W) : layers[p->section].allowed;
    if (k == KEY_COUNT || !(allowed & B(k))) {
        char list[256] = "";
        for (int i = 0; i < KEY_COUNT; i++)
            if (allowed & B(i))
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "", keys[i].name);
        return fail_at(p, p->line, "unknown key '%s' in [%s]; expected %s", clgan_escape_str(key, esc, sizeof esc),
                       section_name(p->section), list[0] ? list : "no keys");
    }
    if (p->seen & B(k)) return fail_at(p, p->line, "'%s' given twice in [%s]", key, section_name(p->section));
    p->seen |= B(k);
    clgan_layer_spec *s = &p->s;
    int iv = 0, w = 0;
    float fv = 0;
    if (keys[k].type == T_INT) TRY(eval_int(p, key, value, keys[k].lo, keys[k].hi, keys[k].expect, &iv));
    if (keys[k].type == T_FLOAT) TRY(eval_float(p, key, value, keys[k].flo, keys[k].fhi, keys[k].expect, &fv));
    if (p->section == S_INPUT) {
        *(k == K_C ? &p->a->in_c : k == K_H ? &p->a->in_h : &p->a->in_w) = iv;
        return CLGAN_OK;
    }
    switch ((key_id)k) {
    case K_UNITS: case K_FILTERS: case K_CLASSES: case K_C: s->out = iv; break;
    case K_SIZE: s->k = iv; break;
    case K_STRIDE: s->stride = iv; break;
    case K_PAD: s->pad = iv; break;
    case K_OUT_PAD: s->out_pad = iv; break;
    case K_BIAS: s->bias = iv; break;
    case K_WEIGHT_NORM: s->weight_norm = iv; break;
    case K_SPECTRAL_NORM: s->spectral_norm = iv; break;
    case K_H: s->h = iv; break;
    case K_W: s->w = iv; break;
    case K_INIT:
        TRY(eval_word(p, key, value, init_names, 3, keys[k].expect, &w));
        s->init = (clgan_init_kind)w;
        break;
    case K_FUNCTION:
        TRY(eval_word(p, key, value, act_names, 4, keys[k].expect, &w));
        s->act = (clgan_act)w;
        break;
    case K_INIT_STD: s->init_std = fv; break;
    case K_SLOPE: s->slope = fv; break;
    case K_P: case K_STDDEV: s->p = fv; break;
    case K_POLICY: TRY(eval_policy(p, key, value, &s->policy)); break;
    case KEY_COUNT: break;
    }
    return CLGAN_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = 0;
    return s;
}

static clgan_status parse_line(parser *p, char *line)
{
    char esc[CLGAN_ESCAPE_CAP];
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char *s = trim(line);
    if (!*s) return CLGAN_OK;
    if (*s == '[') {
        char *end = strchr(s, ']');
        if (!end || trim(end + 1)[0])
            return fail_at(p, p->line, "'%s': expected a section header like [conv]", clgan_escape_str(s, esc, sizeof esc));
        *end = 0;
        TRY(end_section(p));
        return begin_section(p, trim(s + 1));
    }
    char *eq = strchr(s, '=');
    if (!eq) return fail_at(p, p->line, "'%s': expected [section] or key = value", clgan_escape_str(s, esc, sizeof esc));
    *eq = 0;
    char *key = trim(s), *value = trim(eq + 1);
    if (p->section == -100) return fail_at(p, p->line, "'%s' before any [section]", clgan_escape_str(key, esc, sizeof esc));
    if (!*value) return fail_at(p, p->line, "'%s' has no value", clgan_escape_str(key, esc, sizeof esc));
    switch (p->section) {
    case S_NET: return net_key(p, key, value);
    case S_VARS: return var_key(p, key, value);
    case S_FEATURES:
        return fail_at(p, p->line, "unknown key '%s' in [features]; it takes no keys", clgan_escape_str(key, esc, sizeof esc));
    default: return layer_key(p, key, value);
    }
}

/* Every layer applies to its input: on a failure, name the first layer that does not. */
static clgan_status check_shapes(parser *p)
{
    clgan_arch *a = p->a;
    clgan_layer_summary rows[CLGAN_ARCH_MAX_LAYERS];
    if (clgan_net_specs_summary(a->in_c, a->in_h, a->in_w, a->specs, a->n, rows) == CLGAN_OK) return CLGAN_OK;
    for (int i = 1; i <= a->n; i++) {
        if (clgan_net_specs_summary(a->in_c, a->in_h, a->in_w, a->specs, i, rows) == CLGAN_OK) continue;
        char why[512];
        snprintf(why, sizeof why, "%s", clgan_last_error());
        int c = a->in_c, h = a->in_h, w = a->in_w;
        if (i > 1) {
            clgan_net_specs_summary(a->in_c, a->in_h, a->in_w, a->specs, i - 1, rows);
            c = rows[i - 2].c, h = rows[i - 2].h, w = rows[i - 2].w;
        }
        const char *section = "?";
        for (int k = 0; k < LAYER_SECTIONS; k++)
            if (layers[k].kind == a->specs[i - 1].kind) section = layers[k].name;
        return fail_at(p, a->lines[i - 1], "[%s] cannot apply to its input %dx%dx%d (CxHxW): %s", section, c, h, w, why);
    }
    return fail_at(p, a->lines[a->n - 1], "the net is too large: %s", clgan_last_error());
}

clgan_status clgan_arch_parse(const char *text, const char *source, const clgan_arch_var *vars, int n_vars,
                              clgan_arch **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_arch_parse: out is NULL");
    *out = NULL;
    if (!text) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_arch_parse: text is NULL");
    if (n_vars < 0 || (n_vars > 0 && !vars))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_arch_parse: %d variables but no array", n_vars);
    clgan_arch *a = calloc(1, sizeof *a);
    if (!a) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory parsing an architecture");
    snprintf(a->source, sizeof a->source, "%s", source && *source ? source : "architecture");
    a->feature_layer = -1;
    parser p = {a, vars, n_vars, 0, -100, 0, 0, {0}, 0, 0, 0};
    clgan_status st = CLGAN_OK;
    size_t len = strlen(text);
    if (len > CLGAN_ARCH_MAX_TEXT)
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s: %zu bytes; an architecture text holds at most %d", a->source, len,
                        CLGAN_ARCH_MAX_TEXT);
    for (const char *at = text; st == CLGAN_OK && *at;) {
        const char *nl = strchr(at, '\n');
        size_t n = nl ? (size_t)(nl - at) : strlen(at);
        p.line++;
        if (n >= LINE_CAP) {
            st = fail_at(&p, p.line, "the line is longer than %d characters", LINE_CAP - 1);
            break;
        }
        char line[LINE_CAP];
        memcpy(line, at, n);
        line[n] = 0;
        st = parse_line(&p, line);
        at += n + (nl ? 1 : 0);
    }
    p.line++;
    if (st == CLGAN_OK) st = end_section(&p);
    if (st == CLGAN_OK && !p.seen_input)
        st = fail_at(&p, p.line, "no [input] section: expected one with c, h and w (the input shape)");
    if (st == CLGAN_OK && a->n == 0) st = fail_at(&p, p.line, "no layers after [input]");
    if (st == CLGAN_OK) st = check_shapes(&p);
    if (st == CLGAN_OK && !(a->text = strdup(text)))
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory parsing an architecture");
    if (st != CLGAN_OK) {
        free(a);
        return st;
    }
    *out = a;
    return CLGAN_OK;
}

clgan_status clgan_arch_parse_file(const char *path, const clgan_arch_var *vars, int n_vars, clgan_arch **out)
{
    if (out) *out = NULL;
    if (!path) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_arch_parse_file: path is NULL");
    uint8_t *data;
    size_t len;
    int truncated = 0;
    TRY(clgan_read_file(path, &data, &len, &truncated));
    clgan_status st = CLGAN_OK;
    if (truncated) st = clgan_fail(CLGAN_ERR_FORMAT, "%s: the gzip data ends early", path);
    else if (len > CLGAN_ARCH_MAX_TEXT)
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s: %zu bytes; an architecture text holds at most %d", path, len,
                        CLGAN_ARCH_MAX_TEXT);
    else if (memchr(data, 0, len))
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s: holds a NUL byte; an architecture is a text file", path);
    char *text = st == CLGAN_OK ? malloc(len + 1) : NULL;
    if (st == CLGAN_OK && !text) st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading %s", path);
    if (st == CLGAN_OK) {
        memcpy(text, data, len);
        text[len] = 0;
        st = clgan_arch_parse(text, path, vars, n_vars, out);
    }
    free(text);
    free(data);
    return st;
}

void clgan_arch_free(clgan_arch *arch)
{
    if (arch) free(arch->text);
    free(arch);
}

const char *clgan_arch_text(const clgan_arch *arch) { return arch ? arch->text : ""; }

/* ---- queries and the summary --------------------------------------------- */

int clgan_arch_layer_count(const clgan_arch *a) { return a ? a->n : 0; }
int clgan_arch_feature_layer(const clgan_arch *a) { return a ? a->feature_layer : -1; }
const char *clgan_arch_name(const clgan_arch *a) { return a ? a->name : ""; }
const char *clgan_arch_mode(const clgan_arch *a) { return a ? a->mode : ""; }

void clgan_arch_input_shape(const clgan_arch *a, int *c, int *h, int *w)
{
    if (c) *c = a ? a->in_c : 0;
    if (h) *h = a ? a->in_h : 0;
    if (w) *w = a ? a->in_w : 0;
}

void clgan_arch_output_shape(const clgan_arch *a, int *c, int *h, int *w)
{
    clgan_layer_summary rows[CLGAN_ARCH_MAX_LAYERS];
    int oc = 0, oh = 0, ow = 0; /* zeros for a NULL or empty architecture */
    if (a && a->n > 0 && clgan_net_specs_summary(a->in_c, a->in_h, a->in_w, a->specs, a->n, rows) == CLGAN_OK)
        oc = rows[a->n - 1].c, oh = rows[a->n - 1].h, ow = rows[a->n - 1].w;
    if (c) *c = oc;
    if (h) *h = oh;
    if (w) *w = ow;
}

int clgan_arch_find_kind(const clgan_arch *a, clgan_layer_kind kind)
{
    for (int i = 0; i < a->n; i++)
        if (a->specs[i].kind == kind) return i;
    return -1;
}

clgan_status clgan_arch_var_value(const clgan_arch *a, const char *name, int *value)
{
    if (!value) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_arch_var_value: value is NULL");
    *value = 0;
    int i = a && name ? find_var(a, name, strlen(name)) : -1;
    if (i < 0) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s declares no variable '%s'", a ? a->source : "(null)", name ? name : "(null)");
    *value = a->var_values[i];
    return CLGAN_OK;
}

clgan_status clgan_arch_describe(const clgan_arch *a, clgan_arch_layer *rows)
{
    if (!a || !rows) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_arch_describe: NULL architecture or rows");
    clgan_layer_summary s[CLGAN_ARCH_MAX_LAYERS];
    TRY(clgan_net_specs_summary(a->in_c, a->in_h, a->in_w, a->specs, a->n, s));
    for (int i = 0; i < a->n; i++) {
        rows[i].kind = clgan_layer_kind_name(s[i].kind);
        rows[i].line = a->lines[i];
        rows[i].c = s[i].c, rows[i].h = s[i].h, rows[i].w = s[i].w;
        rows[i].params = s[i].params, rows[i].state = s[i].state;
        rows[i].flops = s[i].flops, rows[i].act_floats = s[i].act_floats;
    }
    return CLGAN_OK;
}

void clgan_arch_totals(const clgan_arch *a, int batch, size_t *params, size_t *state, double *flops, size_t *act_bytes)
{
    clgan_arch_layer rows[CLGAN_ARCH_MAX_LAYERS];
    size_t p = 0, s = 0, act = 0;
    double f = 0;
    if (a && clgan_arch_describe(a, rows) == CLGAN_OK)
        for (int i = 0; i < a->n; i++) p += rows[i].params, s += rows[i].state, f += rows[i].flops, act += rows[i].act_floats;
    if (params) *params = p;
    if (state) *state = s;
    if (flops) *flops = f;
    if (act_bytes) *act_bytes = act * (size_t)(batch > 0 ? batch : 1) * sizeof(float);
}

/* One line of the table; returns 0 when it did not fit. */
static int put(char *out, size_t cap, size_t *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static int put(char *out, size_t cap, size_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = *at < cap ? vsnprintf(out + *at, cap - *at, fmt, ap) : -1;
    va_end(ap);
    if (n < 0 || (size_t)n >= cap - *at) return 0;
    *at += (size_t)n;
    return 1;
}

clgan_status clgan_arch_summary_text(const clgan_arch *a, int batch, char *out, size_t cap)
{
    if (!out && cap) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_arch_summary_text: out is NULL");
    clgan_arch_layer rows[CLGAN_ARCH_MAX_LAYERS];
    TRY(clgan_arch_describe(a, rows));
    size_t at = 0, params, state, act;
    double flops;
    int ok = cap > 0;
    if (ok) out[0] = 0;
    ok = ok && put(out, cap, &at, "%-5s %-18s %-16s %12s %14s %12s %5s\n", "layer", "kind", "output (CxHxW)", "params",
                   "FLOPs/image", "act floats", "line");
    char shape[48];
    snprintf(shape, sizeof shape, "%dx%dx%d", a->in_c, a->in_h, a->in_w);
    ok = ok && put(out, cap, &at, "%-5s %-18s %-16s\n", "-", "input", shape);
    for (int i = 0; ok && i < a->n; i++) {
        char line[16] = "-"; /* a layer added by a mode setting (label concat, mbstd) has no line */
        if (rows[i].line > 0) snprintf(line, sizeof line, "%d", rows[i].line);
        snprintf(shape, sizeof shape, "%dx%dx%d", rows[i].c, rows[i].h, rows[i].w);
        ok = put(out, cap, &at, "%-5d %-18s %-16s %12zu %14.0f %12zu %5s%s\n", i, rows[i].kind, shape, rows[i].params,
                 rows[i].flops, rows[i].act_floats, line, i == a->feature_layer ? "  <- features" : "");
    }
    clgan_arch_totals(a, batch, &params, &state, &flops, &act);
    ok = ok && put(out, cap, &at,
                   "total: %zu parameters (%zu state floats: batchnorm statistics, spectral-norm vectors), "
                   "%.4g MFLOPs per image forward, %.2f MiB of activations per batch of %d\n",
                   params, state, flops / 1e6, (double)act / (1024.0 * 1024.0), batch > 0 ? batch : 1);
    if (!ok) return clgan_fail(CLGAN_ERR_INVALID_ARG, "the summary of %s does not fit in %zu bytes", a->source, cap);
    return CLGAN_OK;
}
