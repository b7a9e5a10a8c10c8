clgan train-classifier --data ../shared/data/mnist10k --model lenet28 --imbalance 3:0.1 --epochs 2 --seed 2 --out WORK/imb100-none-s2 --json
