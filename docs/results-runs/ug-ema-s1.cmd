clgan train-gan --data ../shared/data/mnist10k --epochs 30 --g-ema 0.999 --score-with WORK/full-s1/checkpoint.ckpt --score-every 10 --score-n 1000 --seed 1 --out WORK/ug-ema-s1 --json
