clgan train-gan --data ../shared/data/mnist10k --imbalance 3:0.1 --epochs 10 --conditional --balance-classes --g-ema 0.999 --seed 3 --out WORK/imb100-ncgan-s3 --json
