/* cmd_models.c — `clgan models`: the architecture presets, and `models show`:
 * a preset's text (or a file's) with the per-layer summary as comment lines,
 * so the whole output is a text --arch takes. Uses clgan/arch.h only. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 64

static void models_usage(FILE *f)
{
    fprintf(f, "usage: clgan models [--json]\n"
               "       clgan models show NAME|FILE [--part g|d|c|h] [--width W] [--nz N] [--classes K]\n"
               "                         [--batch B] [--json]\n\n"
               "Without 'show', lists the architecture presets: name, mode, part (g generator,\n"
               "d discriminator, c classifier, h feature head), image shape and a summary.\n\n"
               "'show' prints a preset's architecture text (or a file's, when the argument names\n"
               "one) followed by its summary as '#' comment lines: every layer's output shape,\n"
               "parameters, forward FLOPs per image and the floats it keeps for backward, then\n"
               "the totals with the activation memory of a batch of B (default 64). The output\n"
               "is itself a text that --arch, --arch-g and --arch-d take (docs/ARCHITECTURES.md).\n"
               "  --part P      the part to show (default: the preset's first)\n"
               "  --width W, --nz N, --classes K\n"
               "                set those variables: the [vars] lines printed carry the values\n"
               "  --json        one JSON object: name, part, text, layers and totals\n");
}

/* The text with the [vars] default of every overridden variable replaced. */
static char *with_overrides(const char *text, const clgan_arch_var *vars, int n)
{
    size_t cap = strlen(text) + 64 * (size_t)(n + 1) + 1;
    char *out = malloc(cap), line[1024];
    if (!out) return NULL;
    size_t at = 0;
    int in_vars = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
        const char *s = line + strspn(line, " \t");
        if (*s == '[') in_vars = !strncmp(s, "[vars]", 6);
        int replaced = 0;
        for (int i = 0; in_vars && i < n; i++) {
            size_t k = strlen(vars[i].name);
            const char *eq = s + k + strspn(s + k, " \t");
            if (strncmp(s, vars[i].name, k) || *eq != '=') continue;
            const char *comment = strchr(eq, '#');
            at += (size_t)snprintf(out + at, cap - at, "%s = %d%s%s\n", vars[i].name, vars[i].value,
                                   comment ? "    " : "", comment ? comment : "");
            replaced = 1;
        }
        if (!replaced) at += (size_t)snprintf(out + at, cap - at, "%.*s\n", (int)len, p);
        p += len + (nl ? 1 : 0);
    }
    return out;
}

static void print_json(const char *name, const char *part, const char *text, const clgan_arch *a, int batch)
{
    clgan_arch_layer rows[MAX_ROWS];
    size_t params, state, act;
    double flops;
    clgan_arch_describe(a, rows);
    clgan_arch_totals(a, batch, &params, &state, &flops, &act);
    int c, h, w;
    clgan_arch_input_shape(a, &c, &h, &w);
    cli_json_begin("models", "ok");
    printf(", \"name\": ");
    cli_json_string(stdout, name);
    printf(", \"part\": ");
    cli_json_string(stdout, part);
    printf(", \"text\": ");
    cli_json_string(stdout, text);
    printf(", \"input\": [%d, %d, %d], \"feature_layer\": %d, \"layers\": [", c, h, w, clgan_arch_feature_layer(a));
    for (int i = 0; i < clgan_arch_layer_count(a); i++)
        printf("%s{\"index\": %d, \"kind\": \"%s\", \"line\": %d, \"output\": [%d, %d, %d], \"params\": %zu, "
               "\"state\": %zu, \"flops\": %.0f, \"act_floats\": %zu}",
               i ? ", " : "", i, rows[i].kind, rows[i].line, rows[i].c, rows[i].h, rows[i].w, rows[i].params,
               rows[i].state, rows[i].flops, rows[i].act_floats);
    printf("], \"total\": {\"params\": %zu, \"state\": %zu, \"flops\": %.0f, \"batch\": %d, \"act_bytes\": %zu}}\n",
           params, state, flops, batch, act);
}

static int show(int argc, char **argv)
{
    const char *name = NULL, *part = NULL;
    int json = 0, bad = 0, batch = 64, n = 0;
    clgan_arch_var vars[3];
    for (int i = 2; i < argc && !bad; i++) {
        const char *v;
        int value;
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return models_usage(stdout), 0;
        else if ((v = cli_flag_value(argc, argv, &i, "--part", &bad))) part = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--batch", &bad))) bad = !cli_parse_int("--batch", v, 1, 65536, &batch);
        else if ((v = cli_flag_value(argc, argv, &i, "--width", &bad))) {
            bad = !cli_parse_int("--width", v, 1, 65536, &value);
            vars[n++] = (clgan_arch_var){"width", value};
        } else if ((v = cli_flag_value(argc, argv, &i, "--nz", &bad))) {
            bad = !cli_parse_int("--nz", v, 1, 65536, &value);
            vars[n++] = (clgan_arch_var){"nz", value};
        } else if ((v = cli_flag_value(argc, argv, &i, "--classes", &bad))) {
            bad = !cli_parse_int("--classes", v, 2, 65536, &value);
            vars[n++] = (clgan_arch_var){"classes", value};
        } else if (!bad && argv[i][0] != '-' && !name) name = argv[i];
        else if (!bad) {
            fprintf(stderr, "clgan models show: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
        for (int k = 0; k + 1 < n; k++) /* a flag given twice: the last wins */
            if (!strcmp(vars[k].name, vars[n - 1].name)) vars[k] = vars[--n];
    }
    if (bad) return 2;
    if (!name) {
        fprintf(stderr, "clgan models show: which preset? (clgan models lists them)\n");
        return 2;
    }
    const char *text = NULL;
    int is_file = strchr(name, '/') || strstr(name, ".arch");
    clgan_arch *file = NULL;
    if (is_file) {
        if (clgan_arch_parse_file(name, vars, n, &file) != CLGAN_OK) return cli_fail(NULL);
        text = clgan_arch_text(file);
    } else if (clgan_arch_preset_text(name, part, &text) != CLGAN_OK) {
        return fprintf(stderr, "clgan models show: %s\n", clgan_last_error()), 2;
    }
    char *shown = with_overrides(text, vars, n);
    clgan_arch_free(file);
    if (!shown) return fprintf(stderr, "clgan: out of memory\n"), 1;
    char source[300];
    snprintf(source, sizeof source, is_file ? "%s" : "preset %s", name);
    clgan_arch *a;
    if (clgan_arch_parse(shown, source, NULL, 0, &a) != CLGAN_OK) {
        free(shown);
        return cli_fail(NULL);
    }
    int rc = 0;
    if (json) {
        print_json(name, part ? part : "", shown, a, batch);
    } else {
        size_t cap = 64 * 1024;
        char *table = malloc(cap);
        if (!table || clgan_arch_summary_text(a, batch, table, cap) != CLGAN_OK) {
            rc = cli_fail("summary");
        } else {
            fputs(shown, stdout);
            if (shown[0] && shown[strlen(shown) - 1] != '\n') putchar('\n');
            printf("\n# ---- summary ----\n");
            for (char *line = strtok(table, "\n"); line; line = strtok(NULL, "\n")) printf("# %s\n", line);
        }
        free(table);
    }
    clgan_arch_free(a);
    free(shown);
    return rc;
}

int cli_read_arch(const char *flag, const char *path, char **text)
{
    clgan_arch *a;
    *text = NULL;
    if (clgan_arch_parse_file(path, NULL, 0, &a) != CLGAN_OK) {
        fprintf(stderr, "clgan: %s: %s\n", flag, clgan_last_error());
        return 0;
    }
    *text = strdup(clgan_arch_text(a));
    clgan_arch_free(a);
    if (!*text) fprintf(stderr, "clgan: out of memory reading %s\n", path);
    return *text != NULL;
}

int cli_resume_arch_matches(const char *flag, const char *given, const char *ckpt_text)
{
    if (!given || (ckpt_text && !strcmp(given, ckpt_text))) return 1;
    fprintf(stderr, "clgan: %s differs from the architecture of the run being resumed (%s); leave it out (the run "
                    "keeps the architecture in its checkpoint) or start a new run in another --out\n",
            flag, ckpt_text ? "its checkpoint holds another text" : "it was trained from a preset");
    return 0;
}

int cmd_models(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "show")) return show(argc, argv);
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return models_usage(stdout), 0;
        else {
            fprintf(stderr, "clgan models: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (json) cli_json_begin("models", "ok"), printf(", \"presets\": [");
    else printf("%-10s %-11s %-5s %-10s %s\n", "name", "mode", "part", "image", "summary");
    for (int i = 0; i < clgan_arch_preset_count(); i++) {
        clgan_arch_preset p;
        if (clgan_arch_preset_at(i, &p) != CLGAN_OK) return cli_fail("reading the presets");
        char shape[48];
        snprintf(shape, sizeof shape, "%dx%dx%d", p.h, p.w, p.c);
        if (json) {
            printf("%s{\"name\": \"%s\", \"mode\": \"%s\", \"part\": \"%s\", \"image\": [%d, %d, %d], \"summary\": ",
                   i ? ", " : "", p.name, p.mode, p.part, p.c, p.h, p.w);
            cli_json_string(stdout, p.summary);
            printf("}");
        } else {
            printf("%-10s %-11s %-5s %-10s %s\n", p.name, p.mode, p.part, strcmp(p.part, "h") ? shape : "-", p.summary);
        }
    }
    if (json) printf("]}\n");
    else printf("\n'clgan models show NAME [--part P]' prints a preset's text and its summary.\n");
    return 0;
}
