clgan train-gan --data ../shared/data/mnist10k --imbalance 3:0.025 --epochs 5 --conditional --seed 3 --out WORK/cgan-imb-s3 --json
