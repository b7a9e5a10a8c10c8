/* api_augment.c — clgan/augment.h and clgan_escape_str over <clgan.h> only:
 * a conditional GAN model balances a three-class set with one rare class
 * (the plan's counts, the real images first and unchanged, the generated
 * ones labelled class by class), the same seed giving the same bytes,
 * ENLARGE's equal shares, the PNG grid's size, and the refusals (an
 * unconditional GAN, a classifier, ENLARGE by 0, unlabelled data); the
 * escaping of bytes for messages. */
#include "test_expect.h"
#include "test_files.h"

#include <stdio.h>
#include <string.h>

enum { K = 3, PX = 28 * 28 };

static int count_of(const clgan_dataset *d)
{
    clgan_dataset_info info;
    MUST(clgan_dataset_get_info(d, &info));
    return info.count;
}

static void test_escape(void)
{
    char buf[CLGAN_ESCAPE_CAP], tiny[12];
    EXPECT(!strcmp(clgan_escape_str("a\\b\n\x01z", buf, sizeof buf), "a\\\\b\\x0a\\x01z"),
           "escape: backslash doubled, control bytes as \\xNN (%s)", buf);
    EXPECT(!strcmp(clgan_escape_str(NULL, buf, sizeof buf), ""), "escape of NULL is empty");
    clgan_escape_str("0123456789abcdef", tiny, sizeof tiny);
    EXPECT(strlen(tiny) < sizeof tiny && strstr(tiny, "...") != NULL, "a long text is cut with ... (%s)", tiny);
}

static void test_augment(clgan_ctx *ctx, const char *dir)
{
    clgan_dataset_options o = clgan_dataset_default_options();
    o.synthetic_classes = K, o.synthetic_train = 60;
    clgan_dataset *all, *rare;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &o, &all));
    MUST(clgan_dataset_imbalance(all, 1, 0.25, 3, &rare)); /* 20, 5, 20 */
    int n_real = count_of(rare);
    int plan[K];
    MUST(clgan_gan_augment_plan(rare, CLGAN_GAN_AUGMENT_BALANCE, 0.0, plan));
    EXPECT(n_real == 45 && plan[0] == 0 && plan[1] == 15 && plan[2] == 0, "balance 20/5/20: 15 more of class 1 (%d %d %d)",
           plan[0], plan[1], plan[2]);
    MUST(clgan_gan_augment_plan(rare, CLGAN_GAN_AUGMENT_ENLARGE, 0.2, plan));
    EXPECT(plan[0] == 3 && plan[1] == 3 && plan[2] == 3, "enlarge by 0.2 of 45: 9 in equal shares (%d %d %d)", plan[0],
           plan[1], plan[2]);
    EXPECT(clgan_gan_augment_plan(rare, CLGAN_GAN_AUGMENT_ENLARGE, 0.0, plan) == CLGAN_ERR_INVALID_ARG,
           "enlarge by 0 is refused: %s", clgan_last_error());

    clgan_model_params p = clgan_model_default_params(CLGAN_MODEL_GAN);
    p.classes = K, p.settings = "batch=4 width=4 nz=8 conditional=1";
    clgan_model *gan;
    MUST(clgan_model_create(ctx, &p, &gan));
    clgan_dataset *aug, *again;
    int gen[K];
    MUST(clgan_model_augment(gan, rare, CLGAN_GAN_AUGMENT_BALANCE, 0.0, 9, &aug, gen));
    MUST(clgan_model_augment(gan, rare, CLGAN_GAN_AUGMENT_BALANCE, 0.0, 9, &again, NULL));
    int n = count_of(aug);
    EXPECT(n == 60 && gen[1] == 15 && gen[0] == 0, "60 images after balancing, 15 generated for class 1 (%d)", n);
    static float a[60 * PX], b[60 * PX], r[45 * PX];
    int32_t la[60];
    MUST(clgan_dataset_read(aug, 0, n, a, la));
    MUST(clgan_dataset_read(again, 0, n, b, NULL));
    MUST(clgan_dataset_read(rare, 0, n_real, r, NULL));
    int labels = 1;
    for (int i = n_real; i < n; i++) labels &= la[i] == 1;
    EXPECT(!memcmp(a, r, sizeof r), "the real images come first, unchanged");
    EXPECT(labels, "the generated images are labelled class 1");
    EXPECT(!memcmp(a, b, sizeof a), "the same seed gives the same bytes");
    char png[400];
    snprintf(png, sizeof png, "%s/aug.png", dir);
    MUST(clgan_gan_augment_png(png, aug, n_real, 4));
    FILE *f = fopen(png, "rb");
    unsigned char hdr[24] = {0};
    size_t got = f ? fread(hdr, 1, sizeof hdr, f) : 0;
    if (f) fclose(f);
    unsigned w = (unsigned)hdr[16] << 24 | hdr[17] << 16 | hdr[18] << 8 | hdr[19];
    unsigned h = (unsigned)hdr[20] << 24 | hdr[21] << 16 | hdr[22] << 8 | hdr[23];
    EXPECT(got == 24 && w == 4 * 28 + 5 * 2 && h == K * 28 + (K + 1) * 2, "the grid is 4 columns by %d rows (%u x %u)",
           K, w, h);
    clgan_dataset_free(aug), clgan_dataset_free(again);
    clgan_model_free(gan);

    clgan_model_params u = clgan_model_default_params(CLGAN_MODEL_GAN);
    u.settings = "batch=4 width=4 nz=8";
    clgan_model *plain, *clf;
    MUST(clgan_model_create(ctx, &u, &plain));
    clgan_dataset *none = (clgan_dataset *)1;
    EXPECT(clgan_model_augment(plain, rare, CLGAN_GAN_AUGMENT_BALANCE, 0.0, 1, &none, NULL) == CLGAN_ERR_INVALID_ARG &&
               none == NULL,
           "an unconditional GAN cannot: %s", clgan_last_error());
    clgan_model_free(plain);
    clgan_model_params c = clgan_model_default_params(CLGAN_MODEL_CLASSIFIER);
    c.classes = K, c.settings = "batch=4 width=4";
    MUST(clgan_model_create(ctx, &c, &clf));
    EXPECT(clgan_model_augment(clf, rare, CLGAN_GAN_AUGMENT_BALANCE, 0.0, 1, &none, NULL) == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "classifier"),
           "a classifier cannot: %s", clgan_last_error());
    clgan_model_free(clf);
    clgan_dataset_free(rare), clgan_dataset_free(all);
}

int main(void)
{
    test_escape();
    char dir[] = "/tmp/clgan-api-augment-XXXXXX";
    if (!mkdtemp(dir)) {
        printf("FAIL mkdtemp\n");
        return 1;
    }
    clgan_ctx *ctx = test_device_or_null("GAN augmentation is");
    if (ctx) test_augment(ctx, dir);
    clgan_ctx_free(ctx);
    test_rm_rf(dir);
    return test_finish();
}
