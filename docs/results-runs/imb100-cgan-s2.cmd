clgan train-gan --data ../shared/data/mnist10k --imbalance 3:0.1 --epochs 5 --conditional --seed 2 --out WORK/imb100-cgan-s2 --json
