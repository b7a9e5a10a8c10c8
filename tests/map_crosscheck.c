/* map_crosscheck.c — libclgan's COCO-style mAP against tests/map_reference.py
 * (NumPy, written from the definition) on 200 random cases made here from a
 * fixed seed: a few images each of jittered, duplicated, misclassified and
 * stray boxes, crowds, scores with ties, images without truth or
 * predictions. Every case's mAP@0.5, mAP@0.5:0.95 and each class's AP@0.5,
 * AP@0.5:0.95 and precision envelope at IoU 0.5 must agree within 1e-12.
 *     map_crosscheck PYTHON map_reference.py
 * Exits 77 (skipped) when PYTHON is empty or the script finds no NumPy. */
#include "test_expect.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CASES 200
#define MAX_CLASSES 4
#define MAX_IMAGES 4
#define MAX_TRUTH 8
#define MAX_PRED 24
#define TOL 1e-12

static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;
static double uniform(void)
{
    rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}
static int below(int n) { return (int)(uniform() * n); }

typedef struct scene_image {
    int n_truth, n_pred;
    clgan_box truth[MAX_TRUTH];
    clgan_detection pred[MAX_PRED];
} scene_image;

typedef struct scene {
    int classes, n_images;
    scene_image images[MAX_IMAGES];
} scene;

static clgan_box random_box(int classes, int crowded)
{
    double w = crowded ? 0.15 + 0.1 * uniform() : 0.05 + 0.3 * uniform();
    double h = crowded ? 0.15 + 0.1 * uniform() : 0.05 + 0.3 * uniform();
    double cx = crowded ? 0.45 + 0.1 * uniform() : w / 2 + (1 - w) * uniform();
    double cy = crowded ? 0.45 + 0.1 * uniform() : h / 2 + (1 - h) * uniform();
    return (clgan_box){below(classes), (float)cx, (float)cy, (float)w, (float)h};
}

static float random_score(int quantised) { return quantised ? (float)(below(9) / 8.0) : (float)uniform(); }

static void make_image(scene_image *im, int classes)
{
    int crowded = uniform() < 0.25, quantised = uniform() < 0.5;
    im->n_truth = uniform() < 0.1 ? 0 : below(MAX_TRUTH + 1);
    im->n_pred = 0;
    for (int g = 0; g < im->n_truth; g++) im->truth[g] = random_box(classes, crowded);
    int no_predictions = uniform() < 0.08;
    for (int g = 0; g < im->n_truth && !no_predictions; g++) {
        int copies = uniform() < 0.8 ? 1 + (uniform() < 0.25) : 0;
        for (int c = 0; c < copies && im->n_pred < MAX_PRED; c++) {
            clgan_box b = im->truth[g];
            b.cx += (float)((uniform() - 0.5) * 0.5 * b.w);
            b.cy += (float)((uniform() - 0.5) * 0.5 * b.h);
            b.w *= (float)(0.7 + 0.6 * uniform());
            b.h *= (float)(0.7 + 0.6 * uniform());
            if (uniform() < 0.1) b.cls = below(classes);
            im->pred[im->n_pred++] = (clgan_detection){b, random_score(quantised)};
        }
    }
    for (int s = below(4); s > 0 && !no_predictions && im->n_pred < MAX_PRED; s--)
        im->pred[im->n_pred++] = (clgan_detection){random_box(classes, crowded), random_score(quantised)};
}

static void write_box(FILE *f, const clgan_box *b)
{
    fprintf(f, " %d %a %a %a %a", b->cls, (double)b->cx, (double)b->cy, (double)b->w, (double)b->h);
}

static int run_reference(const char *python, const char *script, const char *in, const char *out)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        execl(python, python, script, in, out, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

static double worst = 0;
static int close_to(double a, double b)
{
    double d = fabs(a - b);
    if (d > worst) worst = d;
    return d <= TOL;
}

int main(int argc, char **argv)
{
    if (argc != 3 || !argv[1][0]) {
        printf("skipped: no python3 with NumPy (usage: map_crosscheck PYTHON map_reference.py)\n");
        return 77;
    }
    static scene scenes[CASES];
    char dir[] = "/tmp/clgan-map-XXXXXX", in_path[64], out_path[64];
    if (!mkdtemp(dir)) {
        printf("FAIL cannot make a temporary folder\n");
        return 1;
    }
    snprintf(in_path, sizeof in_path, "%s/scenes.txt", dir);
    snprintf(out_path, sizeof out_path, "%s/reference.txt", dir);
    FILE *f = fopen(in_path, "w");
    if (!f) {
        printf("FAIL cannot write %s\n", in_path);
        return 1;
    }
    for (int c = 0; c < CASES; c++) {
        scene *s = &scenes[c];
        s->classes = 1 + below(MAX_CLASSES);
        s->n_images = 1 + below(MAX_IMAGES);
        fprintf(f, "case %d %d %d\n", c, s->classes, s->n_images);
        for (int i = 0; i < s->n_images; i++) {
            scene_image *im = &s->images[i];
            make_image(im, s->classes);
            fprintf(f, "image %d %d\n", im->n_truth, im->n_pred);
            for (int g = 0; g < im->n_truth; g++) {
                fprintf(f, "t");
                write_box(f, &im->truth[g]);
                fprintf(f, "\n");
            }
            for (int p = 0; p < im->n_pred; p++) {
                fprintf(f, "p");
                write_box(f, &im->pred[p].box);
                fprintf(f, " %a\n", (double)im->pred[p].score);
            }
        }
    }
    fclose(f);

    int rc = run_reference(argv[1], argv[2], in_path, out_path);
    if (rc == 77) {
        printf("skipped: %s has no NumPy\n", argv[1]);
        return 77;
    }
    EXPECT(rc == 0, "%s %s ran (exit %d)", argv[1], argv[2], rc);
    FILE *ref = rc == 0 ? fopen(out_path, "r") : NULL;
    int cases_compared = 0, classes_compared = 0, curves_equal = 1, partial = 0;
    for (int c = 0; ref && c < CASES; c++) {
        scene *s = &scenes[c];
        clgan_map *m = NULL;
        MUST(clgan_map_create(s->classes, &m));
        for (int i = 0; i < s->n_images; i++)
            MUST(clgan_map_add_image(m, s->images[i].truth, s->images[i].n_truth, s->images[i].pred,
                                     s->images[i].n_pred));
        clgan_map_result r;
        MUST(clgan_map_compute(m, &r));
        int id = -1;
        double map50, map;
        if (fscanf(ref, " case %d %lf %lf", &id, &map50, &map) != 3 || id != c) {
            CHECK(0, "reference output ends or is malformed at case %d", c);
            clgan_map_free(m);
            break;
        }
        CHECK(close_to(r.map50, map50) && close_to(r.map, map), "case %d: mAP@0.5 %.17g vs %.17g, mAP %.17g vs %.17g",
              c, r.map50, map50, r.map, map);
        if (r.map > 0 && r.map < 1) partial++;
        for (int k = 0; k < s->classes; k++) {
            int cid = -1, kk = -1;
            long long truths = -1;
            double ap50, ap, curve[CLGAN_MAP_RECALL_POINTS];
            int got = fscanf(ref, " class %d %d %lld %lf %lf", &cid, &kk, &truths, &ap50, &ap);
            for (int j = 0; j < CLGAN_MAP_RECALL_POINTS; j++) got += fscanf(ref, "%lf", &curve[j]);
            const clgan_map_class *pc = &r.per_class[k];
            CHECK(got == 5 + CLGAN_MAP_RECALL_POINTS && cid == c && kk == k, "case %d class %d: malformed reference", c,
                  k);
            CHECK(pc->truths == truths && close_to(pc->ap50, ap50) && close_to(pc->ap, ap),
                  "case %d class %d: truths %lld vs %lld, AP@0.5 %.17g vs %.17g, AP %.17g vs %.17g", c, k,
                  (long long)pc->truths, truths, pc->ap50, ap50, pc->ap, ap);
            for (int j = 0; j < CLGAN_MAP_RECALL_POINTS; j++)
                if (!close_to(pc->precision50[j], curve[j])) {
                    curves_equal = 0;
                    CHECK(0, "case %d class %d: precision at recall %d/100 %.17g vs %.17g", c, k, j,
                          pc->precision50[j], curve[j]);
                    break;
                }
            classes_compared++;
        }
        cases_compared++;
        clgan_map_free(m);
    }
    if (ref) fclose(ref);
    EXPECT(cases_compared == CASES, "%d of %d cases compared (%d classes); largest difference %.3g", cases_compared,
           CASES, classes_compared, worst);
    EXPECT(curves_equal, "precision envelopes at IoU 0.5 agree");
    EXPECT(partial > CASES / 2, "%d cases with an mAP strictly between 0 and 1 (the cases exercise the matching)",
           partial);
    if (failures == 0) {
        remove(in_path);
        remove(out_path);
        rmdir(dir);
    } else {
        printf("kept %s for inspection\n", dir);
    }
    return test_finish();
}
