clgan train-gan --data ../shared/data/mnist10k --epochs 5 --conditional --g-ema 0.999 --seed 2 --out WORK/det-cgan-s2 --json
