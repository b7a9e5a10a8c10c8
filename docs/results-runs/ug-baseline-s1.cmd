clgan train-gan --data ../shared/data/mnist10k --epochs 30 --score-with WORK/full-s1/checkpoint.ckpt --score-every 10 --score-n 1000 --seed 1 --out WORK/ug-baseline-s1 --json
