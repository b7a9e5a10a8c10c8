/* check_gemm_op.h — the harness the GEMM-based layer ops' checks share
 * (check_dense.c, check_conv2d.c, check_conv_transpose2d.c): one case is a
 * layer shape; the harness draws x, W, b and dy, runs the op's double host
 * reference (forward and backward), checks that reference against finite
 * differences, then compares the device forward, dx (overwritten), and dW,
 * db (accumulated onto random values) with it. Each op file supplies a
 * gemm_op: its shape rule, references and device calls. */
#ifndef CLGAN_CHECK_GEMM_OP_H
#define CLGAN_CHECK_GEMM_OP_H
#include "check.h"
#include "nn/conv2d.h"

typedef struct gemm_op gemm_op;

/* One layer shape. dense: x [n,c,h,w] flattened to IN = c*h*w, OUT = oc.
 * conv2d: x [n,c,h,w] -> [n,oc,oh,ow]. conv_transpose2d: x [n,c,h,w] (c = IC) -> [n,oc,oh,ow]. */
typedef struct gemm_case {
    const gemm_op *op;
    int n, c, h, w, oc;
    clgan_conv_params p;
    int bias;  /* 0: b = db = NULL */
    int no_dx; /* 1: backward with dx = NULL */
    int oh, ow; /* filled in by the op's sizes */
    size_t xs, ws, ys;
} gemm_case;

struct gemm_op {
    const char *name; /* the check names' first word: "dense", "conv2d", "conv_transpose2d" */
    /* c->oh, c->ow and c->ws (weights) from the case's shape. */
    void (*sizes)(gemm_case *c);
    /* y = op(x; W, b) and its backward dx, dW, db (all written), in double. */
    void (*ref_forward)(const gemm_case *c, const double *x, const double *W, const double *b, double *y);
    void (*ref_backward)(const gemm_case *c, const double *x, const double *W, const double *dy, double *dx,
                         double *dW, double *db);
    /* The device op of a convolution (its geometry is the case's p); NULL: dense. */
    const clgan_conv_fns *conv;
};

#define GEMM_CASE(op, n, c, h, w, oc, p, bias, no_dx) {op, n, c, h, w, oc, p, bias, no_dx, 0, 0, 0, 0, 0}

/* Kernel geometry of a case. */
clgan_conv_params gemm_geom(int kh, int kw, int sh, int sw, int ph, int pw, int oph, int opw);
/* Every check of one case: "<op>.forward", ".backward.dx/.dW/.db", ".gradcheck", then its shape. */
void gemm_case_run(check_run *run, gemm_case c, uint64_t seed);
/* gemm_case_run over n cases, case i with seed 1000 + 17 * (first + i). */
void gemm_cases_run(check_run *run, const gemm_case *cases, size_t n, size_t first);
/* "<op>.workspace_too_small": forward with a workspace one float short must
 * fail and say so (k 3, stride 2, pad 1 and the given out_pad). */
void gemm_workspace_guard(check_run *run, const gemm_op *op, int out_pad);
#endif
