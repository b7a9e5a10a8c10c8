/* api_subset.c — the dataset subsets of clgan/dataset.h over <clgan.h>
 * only, on the built-in synthetic set (image i has label i % 10, 200 images
 * a class): select's images and labels are the source's, class counts, a
 * rare class, few labels (dropped or kept unlabelled, balanced over the
 * classes), oversampling back to even classes, the same seed giving the
 * same images, and the errors for bad arguments. */
#include "test_expect.h"

#include <string.h>

enum { PX = 28 * 28, K = 10 };

static void counts_of(const clgan_dataset *d, int counts[K], int *unlabelled)
{
    clgan_dataset_class_counts(d, counts, unlabelled);
}

static int count_of(const clgan_dataset *d)
{
    clgan_dataset_info info;
    MUST(clgan_dataset_get_info(d, &info));
    return info.count;
}

int main(void)
{
    clgan_dataset *train;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, NULL, &train));
    int c[K], u = -1;
    counts_of(train, c, &u);
    int even = u == 0;
    for (int k = 0; k < K; k++) even &= c[k] == 200;
    EXPECT(even, "synthetic: 200 images a class, none unlabelled");

    const int idx[3] = {5, 2, 5};
    clgan_dataset *sel;
    MUST(clgan_dataset_select(train, idx, 3, &sel));
    static float a[3 * PX], b[PX];
    int32_t la[3], lb;
    MUST(clgan_dataset_read(sel, 0, 3, a, la));
    int same = count_of(sel) == 3 && la[0] == 5 && la[1] == 2 && la[2] == 5;
    for (int i = 0; i < 3; i++) {
        MUST(clgan_dataset_read(train, idx[i], 1, b, &lb));
        same &= !memcmp(a + (size_t)i * PX, b, sizeof b) && lb == la[i];
    }
    EXPECT(same, "select {5, 2, 5}: the source's images and labels in that order, repeats kept");
    const char *n3 = clgan_dataset_class_name(sel, 3), *t3 = clgan_dataset_class_name(train, 3);
    EXPECT(n3 && t3 && !strcmp(n3, t3), "select keeps the class names (%s)", n3 ? n3 : "NULL");
    clgan_dataset_free(sel);

    clgan_dataset *rare;
    MUST(clgan_dataset_imbalance(train, 3, 0.1, 7, &rare));
    counts_of(rare, c, NULL);
    EXPECT(count_of(rare) == 1820 && c[3] == 20 && c[4] == 200, "imbalance 3:0.1 keeps 20 of class 3 (%d), 1820 in all (%d)",
           c[3], count_of(rare));

    clgan_dataset *even_again;
    MUST(clgan_dataset_oversample(rare, 7, &even_again));
    counts_of(even_again, c, NULL);
    even = count_of(even_again) == 2000;
    for (int k = 0; k < K; k++) even &= c[k] == 200;
    EXPECT(even, "oversampling fills class 3 back to 200 (%d), 2000 in all (%d)", c[3], count_of(even_again));
    clgan_dataset_free(even_again);

    clgan_dataset *few, *few2, *semi;
    MUST(clgan_dataset_keep_labels(train, 25, 9, 0, &few));
    MUST(clgan_dataset_keep_labels(train, 25, 9, 0, &few2));
    counts_of(few, c, &u);
    int threes = 0, balanced = count_of(few) == 25 && u == 0;
    for (int k = 0; k < K; k++) threes += c[k] == 3, balanced &= c[k] == 2 || c[k] == 3;
    EXPECT(balanced && threes == 5, "25 labels: 2 or 3 a class, five classes with 3 (%d)", threes);
    static float f1[25 * PX], f2[25 * PX];
    MUST(clgan_dataset_read(few, 0, 25, f1, NULL));
    MUST(clgan_dataset_read(few2, 0, 25, f2, NULL));
    EXPECT(!memcmp(f1, f2, sizeof f1), "the same seed keeps the same images");
    MUST(clgan_dataset_keep_labels(train, 25, 9, 1, &semi));
    counts_of(semi, c, &u);
    int labelled = 0;
    for (int k = 0; k < K; k++) labelled += c[k];
    EXPECT(count_of(semi) == 2000 && labelled == 25 && u == 1975, "unlabel_rest keeps the rest as -1 (%d labelled, %d not)",
           labelled, u);
    clgan_dataset_free(few), clgan_dataset_free(few2), clgan_dataset_free(semi);

    clgan_dataset *none = (clgan_dataset *)1;
    EXPECT(clgan_dataset_imbalance(train, 10, 0.5, 1, &none) == CLGAN_ERR_INVALID_ARG && none == NULL &&
               strstr(clgan_last_error(), "0..9"),
           "imbalance of class 10: %s", clgan_last_error());
    const int past[1] = {2000};
    EXPECT(clgan_dataset_select(train, past, 1, &none) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "2000"),
           "select past the end: %s", clgan_last_error());
    EXPECT(clgan_dataset_keep_labels(train, 2001, 1, 0, &none) == CLGAN_ERR_INVALID_ARG,
           "more labels than images: %s", clgan_last_error());
    EXPECT(clgan_dataset_oversample(NULL, 1, &none) == CLGAN_ERR_INVALID_ARG, "oversample of NULL: %s",
           clgan_last_error());
    clgan_dataset_free(rare);
    clgan_dataset_free(train);
    return test_finish();
}
