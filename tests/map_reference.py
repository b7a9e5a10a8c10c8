#!/usr/bin/env python3
"""map_reference.py — COCO-style mean average precision with NumPy, written
from the definition, to check libclgan's clgan_map_* on random scenes.

    map_reference.py SCENES OUT

SCENES (written by tests/map_crosscheck.c) holds cases, each a set of
images of ground-truth boxes and scored predictions; numbers are C hex
floats (exact):
    case ID K IMAGES
    image N_TRUTH N_PRED
    t CLS CX CY W H                 (N_TRUTH lines)
    p CLS CX CY W H SCORE           (N_PRED lines)
OUT receives per case
    case ID MAP50 MAP
    class ID K TRUTHS AP50 AP P_0 ... P_100
(-1 for the APs and precisions of a class without ground truth).

The definition (as in include/clgan/detect_metrics.h):
  * IoU thresholds t = 0.50, 0.55, ..., 0.95.
  * In each image and at each t, predictions by descending score (equal
    scores in the given order) each claim the free truth box of their class
    with the largest IoU >= t (the first of equal IoUs); none: a false
    positive.
  * Per class and t, all its predictions by descending score (equal scores:
    image order, then given order); precision and recall after each; the
    precision envelope (running maximum from the right); at recall
    R_j = j/100 the envelope at the first rank whose recall is >= R_j
    (100 * TP >= j * N in integers), 0 if none; AP = the mean of the 101.
  * Classes without ground truth are left out of the means.
Exits 77 (skip) without NumPy.
"""
import sys

try:
    import numpy as np
except ImportError:
    print("map_reference.py: NumPy is not installed; skipped")
    sys.exit(77)

THRESHOLDS = [(50 + 5 * i) / 100 for i in range(10)]


def read_cases(path):
    with open(path) as f:
        lines = [line.split() for line in f if line.strip()]
    cases, at = [], 0
    while at < len(lines):
        head = lines[at]
        assert head[0] == "case", head
        case_id, classes, n_images = int(head[1]), int(head[2]), int(head[3])
        at += 1
        images = []
        for _ in range(n_images):
            assert lines[at][0] == "image", lines[at]
            n_truth, n_pred = int(lines[at][1]), int(lines[at][2])
            at += 1
            truth = [[float.fromhex(v) for v in lines[at + i][2:6]] for i in range(n_truth)]
            truth_cls = [int(lines[at + i][1]) for i in range(n_truth)]
            at += n_truth
            pred = [[float.fromhex(v) for v in lines[at + i][2:7]] for i in range(n_pred)]
            pred_cls = [int(lines[at + i][1]) for i in range(n_pred)]
            at += n_pred
            images.append((np.array(truth_cls, dtype=np.int64), np.array(truth, dtype=np.float64).reshape(-1, 4),
                           np.array(pred_cls, dtype=np.int64), np.array(pred, dtype=np.float64).reshape(-1, 5)))
        cases.append((case_id, classes, images))
    return cases


def corners(cxcywh):
    cx, cy, w, h = (cxcywh[:, i] for i in range(4))
    return cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h


def iou_matrix(a, b):
    """IoU of every box of a (rows) with every box of b (columns)."""
    ax0, ay0, ax1, ay1 = (v[:, None] for v in corners(a))
    bx0, by0, bx1, by1 = (v[None, :] for v in corners(b))
    ow = np.minimum(ax1, bx1) - np.maximum(ax0, bx0)
    oh = np.minimum(ay1, by1) - np.maximum(ay0, by0)
    overlap = (ow > 0) & (oh > 0)
    inter = np.where(overlap, ow * oh, 0.0)
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None, :] - inter
    usable = ((a[:, 2] > 0) & (a[:, 3] > 0))[:, None] & ((b[:, 2] > 0) & (b[:, 3] > 0))[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(overlap & usable & (union > 0), inter / union, 0.0)


def hits_of_image(truth_cls, truth, pred_cls, pred):
    """hits[t, p]: prediction p is a true positive at threshold t."""
    hits = np.zeros((len(THRESHOLDS), len(pred_cls)), dtype=bool)
    if len(pred_cls) == 0 or len(truth_cls) == 0:
        return hits
    iou = iou_matrix(pred[:, :4], truth)
    iou[pred_cls[:, None] != truth_cls[None, :]] = -1.0
    ranking = np.argsort(-pred[:, 4], kind="stable")
    for ti, t in enumerate(THRESHOLDS):
        free = np.ones(len(truth_cls), dtype=bool)
        for p in ranking:
            candidates = np.where(free & (iou[p] >= t), iou[p], -np.inf)
            g = int(np.argmax(candidates))
            if np.isfinite(candidates[g]):
                free[g] = False
                hits[ti, p] = True
    return hits


def interpolated_precision(scores, hits, n_truth):
    """The 101 samples of the precision envelope of one class at one threshold."""
    samples = np.zeros(101)
    if len(scores) == 0:
        return samples
    ranking = np.argsort(-scores, kind="stable")
    tp = np.cumsum(hits[ranking].astype(np.int64))
    precision = tp / np.arange(1, len(tp) + 1)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    first = np.searchsorted(100 * tp, np.arange(101, dtype=np.int64) * n_truth, side="left")
    reached = first < len(tp)
    samples[reached] = envelope[first[reached]]
    return samples


def evaluate(classes, images):
    scores = [[] for _ in range(classes)]
    hits = [[] for _ in range(classes)]
    truths = np.zeros(classes, dtype=np.int64)
    for truth_cls, truth, pred_cls, pred in images:
        image_hits = hits_of_image(truth_cls, truth, pred_cls, pred)
        for p in range(len(pred_cls)):
            scores[pred_cls[p]].append(pred[p, 4])
            hits[pred_cls[p]].append(image_hits[:, p])
        truths += np.bincount(truth_cls, minlength=classes)
    per_class = []
    for k in range(classes):
        if truths[k] == 0:
            per_class.append((0, -1.0, -1.0, [-1.0] * 101))
            continue
        s = np.array(scores[k], dtype=np.float64)
        h = np.array(hits[k], dtype=bool).reshape(-1, len(THRESHOLDS))
        curves = [interpolated_precision(s, h[:, ti], int(truths[k])) for ti in range(len(THRESHOLDS))]
        ap_at = [float(np.mean(c)) for c in curves]
        per_class.append((int(truths[k]), ap_at[0], float(np.mean(ap_at)), list(curves[0])))
    with_truth = [c for c in per_class if c[0] > 0]
    if not with_truth:
        return -1.0, -1.0, per_class
    return float(np.mean([c[1] for c in with_truth])), float(np.mean([c[2] for c in with_truth])), per_class


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1])
        return 2
    with open(sys.argv[2], "w") as out:
        for case_id, classes, images in read_cases(sys.argv[1]):
            map50, map_all, per_class = evaluate(classes, images)
            out.write(f"case {case_id} {map50!r} {map_all!r}\n")
            for k, (n_truth, ap50, ap, curve) in enumerate(per_class):
                out.write(f"class {case_id} {k} {n_truth} {ap50!r} {ap!r} " + " ".join(repr(float(v)) for v in curve)
                          + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
